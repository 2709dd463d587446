import * as ddb from '@aws-sdk/client-dynamodb';
import type { RecordedCall } from './recording';

type CommandCtor = new (input: Record<string, unknown>) => Parameters<ddb.DynamoDBClient['send']>[0];

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
        const Ctor = (ddb as unknown as Record<string, CommandCtor | undefined>)[call.commandName];
        if (!Ctor) throw new Error(`floor: unknown DynamoDB command ${call.commandName}`);
        await this.client.send(new Ctor(call.input)).catch((err: { name?: string }) => {
          if (err.name !== 'ConditionalCheckFailedException' && err.name !== 'TransactionCanceledException') throw err;
        });
      } else {
        const res = await fetch(call.url, { method: call.method, headers: call.headers, body: call.body, redirect: 'manual' });
        await res.arrayBuffer();
      }
    }
  }

  close(): void {
    this.client.destroy();
  }
}
