// A DPoP client built on the `dpop` package, driven by the Rust integration tests.
//
// usage: node client.mjs TOKEN_ENDPOINT API_URL ALG
//
// Gets a DPoP-bound token from TOKEN_ENDPOINT with a proof signed by a new ALG key, calls
// API_URL (GET) with the token and a proof, then sends the same proof again. Prints one JSON
// object with the statuses, the key's thumbprint and the token's cnf.jkt; never the token.
import { calculateThumbprint, generateKeyPair, generateProof } from 'dpop';

const [tokenEndpoint, apiUrl, alg] = process.argv.slice(2);
const keypair = await generateKeyPair(alg);
const jkt = await calculateThumbprint(keypair.publicKey);

const tokenResponse = await fetch(tokenEndpoint, {
  method: 'POST',
  headers: {
    'content-type': 'application/json',
    dpop: await generateProof(keypair, tokenEndpoint, 'POST'),
  },
  body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'node-client' }),
});
const tokenBody = await tokenResponse.json();
const accessToken = tokenBody.access_token;
const payload = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString());

const proof = await generateProof(keypair, apiUrl, 'GET', undefined, accessToken);
const call = () =>
  fetch(apiUrl, { headers: { authorization: `DPoP ${accessToken}`, dpop: proof } });
const first = await call();
const replay = await call();

console.log(
  JSON.stringify({
    jkt,
    tokenStatus: tokenResponse.status,
    tokenType: tokenBody.token_type,
    cnfJkt: payload.cnf?.jkt ?? null,
    status: first.status,
    body: await first.json(),
    replayStatus: replay.status,
    replayChallenge: replay.headers.get('www-authenticate'),
  }),
);
