// Writes the seeds of the `dpop_proof` fuzz target to seeds/dpop_proof/: valid proofs for the
// target's fixed request, signed with every algorithm family it accepts, plus a few
// near-misses. Run with `node make_dpop_proof_seeds.mjs` from fuzz/; it needs only Node.js.
//
// The first byte of a seed selects the target's mode: 0 for raw `DPoP` header lines split
// at 0x00, 1 for a header and claims JSON pair split at 0xff that the target signs itself
// with dpop_proof_key.pem. The constants below must match fuzz_targets/dpop_proof.rs.

import { constants, createHash, createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const NOW = 1_700_000_000;
const METHOD = 'GET';
const REQUEST_URL = 'https://api.example.com/api/private';
const ACCESS_TOKEN = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJmdXp6In0.c2lnbmF0dXJl';

const base64url = (bytes) => Buffer.from(bytes).toString('base64url');
const ath = base64url(createHash('sha256').update(ACCESS_TOKEN).digest());

let proofCount = 0;
function claims(overrides = {}) {
  proofCount += 1;
  return { jti: `seed-${proofCount}`, htm: METHOD, htu: REQUEST_URL, iat: NOW, ath, ...overrides };
}

function publicJwk(privateKey) {
  const { d, p, q, dp, dq, qi, ...jwk } = privateKey.export({ format: 'jwk' });
  return jwk;
}

// Signs a compact JWS with `alg`, encoding signatures as JWS expects (raw r||s for ECDSA).
function signProof(alg, privateKey, payload, extraHeader = {}) {
  const header = { typ: 'dpop+jwt', alg, jwk: publicJwk(privateKey), ...extraHeader };
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const options = {
    ES256: ['sha256', { key: privateKey, dsaEncoding: 'ieee-p1363' }],
    ES384: ['sha384', { key: privateKey, dsaEncoding: 'ieee-p1363' }],
    RS256: ['sha256', privateKey],
    PS256: ['sha256', { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }],
    EdDSA: [null, privateKey],
  }[alg];
  const signature = sign(options[0], Buffer.from(input), options[1]);
  return `${input}.${base64url(signature)}`;
}

const fixedKey = createPrivateKey(readFileSync(new URL('dpop_proof_key.pem', import.meta.url)));
const rsaKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const p384Key = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
const ed25519Key = generateKeyPairSync('ed25519').privateKey;

const raw = (...lines) => Buffer.concat([Buffer.from([0]), Buffer.from(lines.join('\0'))]);
const structured = (header, payload) =>
  Buffer.concat([Buffer.from([1]), Buffer.from(JSON.stringify(header)), Buffer.from([0xff]), Buffer.from(JSON.stringify(payload))]);

const valid = signProof('ES256', fixedKey, claims());
const seeds = {
  es256: raw(valid),
  es384: raw(signProof('ES384', p384Key, claims())),
  rs256: raw(signProof('RS256', rsaKey, claims())),
  ps256: raw(signProof('PS256', rsaKey, claims())),
  eddsa: raw(signProof('EdDSA', ed25519Key, claims())),
  two_lines: raw(valid, valid),
  htu_spelling: raw(signProof('ES256', fixedKey, claims({ htu: 'HTTPS://API.example.com:443/api/%70rivate?x=1#f' }))),
  stale: raw(signProof('ES256', fixedKey, claims({ iat: NOW - 301 }))),
  signed_claims: structured({ typ: 'dpop+jwt', alg: 'ES256', jwk: publicJwk(fixedKey) }, claims()),
  signed_fractional_iat: structured(
    { typ: 'dpop+jwt', alg: 'ES256', jwk: { ...publicJwk(fixedKey), use: 'sig', key_ops: ['verify'] } },
    claims({ iat: NOW + 29.5, nonce: 'n' }),
  ),
};

const folder = new URL('seeds/dpop_proof/', import.meta.url);
mkdirSync(folder, { recursive: true });
for (const [name, bytes] of Object.entries(seeds)) {
  writeFileSync(new URL(name, folder), bytes);
}
console.log(`wrote ${Object.keys(seeds).length} seeds to ${folder.pathname}`);
