/** The provider rules live in core (the MCP server uses them too). */
export { providerConfig, providerRecord } from '../../core/provider';
