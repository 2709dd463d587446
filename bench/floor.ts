import * as ddb from '@aws-sdk/client-dynamodb';
import type { RecordedCall } from './recording';

type CommandCtor = new (input: Record<string, unknown>) => Parameters<ddb.DynamoDBClient['send']>[0];

/** A recorded DynamoDB call (the recording also holds Wise requests). */
export type RecordedDynamoCall = Extract<RecordedCall, { kind: 'dynamo' }>;

/** The bare client's command for a recorded call, its input as recorded. */
const commandOf = (call: RecordedDynamoCall) => {
  const Ctor = (ddb as unknown as Record<string, CommandCtor | undefined>)[call.commandName];
  if (!Ctor) throw new Error(`floor: unknown DynamoDB command ${call.commandName}`);
  return new Ctor(call.input);
};

/**
 * The floor of a route: the very DynamoDB commands and Wise requests one product request made,
 * issued again in the same order with a bare DynamoDB client and plain fetch — no middy, no zod,
 * no logging, no document marshalling, no product logic. Answers are read and dropped; a refused
 * conditional write or a Wise 4xx still costs its round trip, which is all the floor stands for.
 */
export class Floor {
  readonly client: ddb.DynamoDBClient;

  constructor(endpoint: string) {
    this.client = new ddb.DynamoDBClient({
      endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 3,
    });
  }

  async replay(calls: readonly RecordedCall[]): Promise<void> {
    for (const call of calls) {
      if (call.kind === 'dynamo') {
        await this.client.send(commandOf(call)).catch((err: { name?: string }) => {
          if (err.name !== 'ConditionalCheckFailedException' && err.name !== 'TransactionCanceledException')
            throw err;
        });
      } else {
        const res = await fetch(call.url, {
          method: call.method,
          headers: call.headers,
          body: call.body,
          redirect: 'manual',
        });
        await res.arrayBuffer();
      }
    }
  }

  /** Sends one recorded DynamoDB call as recorded; resolves to its error (a refused condition too), undefined on success. */
  async send(call: RecordedDynamoCall): Promise<Error | undefined> {
    try {
      await this.client.send(commandOf(call));
      return undefined;
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  }

  close(): void {
    this.client.destroy();
  }
}
