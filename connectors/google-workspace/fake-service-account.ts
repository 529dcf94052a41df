import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';

export interface TestServiceAccount {
  clientEmail: string;
  publicKey: KeyObject;
  privateKeyPem: string;
  /** The JSON key as the Google Cloud console would download it, with `token_uri` set by the caller. */
  keyJson(tokenUri: string): string;
}

/** A fresh RSA key pair and service-account identity, so tests run the real JWT bearer flow. */
export function createTestServiceAccount(projectId = 'scim-bridge-test'): TestServiceAccount {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const clientEmail = `scim-bridge@${projectId}.iam.gserviceaccount.com`;
  const privateKeyId = randomBytes(20).toString('hex');
  return {
    clientEmail,
    publicKey,
    privateKeyPem,
    keyJson: (tokenUri) =>
      JSON.stringify({
        type: 'service_account',
        project_id: projectId,
        private_key_id: privateKeyId,
        private_key: privateKeyPem,
        client_email: clientEmail,
        client_id: '104857600000000000001',
        auth_uri: 'https://accounts.google.com/o/oauth2/auth',
        token_uri: tokenUri,
        auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
        client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(clientEmail)}`,
        universe_domain: 'googleapis.com',
      }),
  };
}
