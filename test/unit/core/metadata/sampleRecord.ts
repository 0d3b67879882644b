/** The record the metadata boundary tests embed and read back (one place, not one copy per container). */
import type { GenerationRecord } from '../../../../src/core/record';

export const sampleRecord: GenerationRecord = {
  v: 1,
  operation: 'generate',
  prompt: 'a sea otter in a beret',
  model: 'gpt-image-1.5',
  options: { size: '1024x1024' },
  provider: { kind: 'openai' },
  createdAt: '2026-11-23T14:25:01.000Z',
  tool: 'pixelwright test',
};
