import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { customerContext, type Cipher } from '../../ports/cipher';
import type { IdentityDigestKey } from '../../ports/identity';
import { isConditionalCheckFailure, type Table } from '../../store/dynamo';

/**
 * The identity digests' key item. `~` is outside the customer-id alphabet (`^[A-Za-z0-9_.-]{1,64}$`),
 * so no customer's partition can ever be this one, while the functions' `CUSTOMER#*` item grants
 * already reach it.
 */
const KEY_OWNER = '~identity-digest-key';
const KEY_ITEM = { pk: `CUSTOMER#${KEY_OWNER}`, sk: 'KEY' } as const;
const CONTEXT = customerContext(KEY_OWNER, 'identity-digest-key');

/**
 * The HMAC key of the identity digests as an envelope key of the stack: 256 random bits made by the
 * first container that needs them, sealed by the stack's application key (KMS, under a context of
 * its own) and kept in the table; every container opens it once. At rest it is only ciphertext, so
 * a table read alone can compute no digest; only the functions granted the application key can.
 * Deployments that prefer a Secrets Manager secret set IDENTITY_KEY_SECRET_ARN instead.
 */
export class SealedIdentityKey implements IdentityDigestKey {
  private key?: Promise<Buffer>;

  constructor(
    private readonly table: Table,
    private readonly cipher: Cipher,
  ) {}

  get(): Promise<Buffer> {
    this.key ??= this.load();
    // A failed read (KMS or the table unavailable) is not cached: the next request asks again.
    this.key.catch(() => (this.key = undefined));
    return this.key;
  }

  private async open(ciphertext: string): Promise<Buffer> {
    return Buffer.from(await this.cipher.decrypt(ciphertext, CONTEXT), 'base64');
  }

  private async load(): Promise<Buffer> {
    const found = await this.table.db.send(
      new GetCommand({ TableName: this.table.name, Key: KEY_ITEM, ConsistentRead: true }),
    );
    if (typeof found.Item?.ciphertext === 'string') return this.open(found.Item.ciphertext);
    const key = randomBytes(32);
    const ciphertext = await this.cipher.encrypt(key.toString('base64'), CONTEXT);
    try {
      await this.table.db.send(
        new PutCommand({
          TableName: this.table.name,
          Item: { ...KEY_ITEM, ciphertext },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return key;
    } catch (err) {
      if (!isConditionalCheckFailure(err)) throw err;
      // Another container made it first: theirs is the key.
      return this.load();
    }
  }
}
