/** Wise client credentials, as stored in Secrets Manager. Never logged, never returned. */
export interface WiseCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Wise's client key for application webhook paths; often equal to the client id. */
  readonly clientKey: string;
  readonly mtlsCertificate?: string;
  readonly mtlsPrivateKey?: string;
}

export interface WiseCredentialsProvider {
  get(): Promise<WiseCredentials>;
}
