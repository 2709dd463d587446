import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Material for the optional mTLS listener (Wise's api-mtls host): a local CA, a server
 * certificate for localhost/127.0.0.1 and a client certificate for the partner. node:crypto
 * cannot issue X.509 certificates, so the `openssl` CLI makes them once; they are reused after.
 */
export interface MtlsMaterial {
  dir: string;
  caPem: string;
  serverKeyPem: string;
  serverCertPem: string;
  clientKeyPem: string;
  clientCertPem: string;
}

const FILES = ['ca.key', 'ca.crt', 'server.key', 'server.crt', 'client.key', 'client.crt'];

export function ensureMtlsMaterial(dir: string, clientCommonName: string): MtlsMaterial {
  mkdirSync(dir, { recursive: true });
  if (!FILES.every((f) => existsSync(join(dir, f)))) generate(dir, clientCommonName);
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return {
    dir,
    caPem: read('ca.crt'),
    serverKeyPem: read('server.key'),
    serverCertPem: read('server.crt'),
    clientKeyPem: read('client.key'),
    clientCertPem: read('client.crt'),
  };
}

function generate(dir: string, clientCommonName: string): void {
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '3650',
    '-subj',
    '/CN=Wise sandbox simulator local CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const leaf = (name: string, subject: string, ext: string) => {
    writeFileSync(join(dir, `${name}.ext`), ext);
    run([
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      subject,
    ]);
    run([
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '825',
      '-extfile',
      `${name}.ext`,
    ]);
  };
  leaf('server', '/CN=localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  leaf('client', `/CN=${clientCommonName}`, 'extendedKeyUsage=clientAuth\n');
}
