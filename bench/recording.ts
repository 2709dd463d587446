/** One call the product made while serving a request, in order, for the floor to issue again. */
export type RecordedCall =
  | { kind: 'dynamo'; commandName: string; input: Record<string, unknown> }
  | { kind: 'wise'; url: string; method: string; headers: Record<string, string>; body?: string };
