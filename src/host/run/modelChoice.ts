/** The model rules live in core (the MCP server uses them too); the host's features import them from here. */
export * from '../../core/modelChoice';
