// Completes the OpenID4VCI pre-authorized code flow against an issuer with @openid4vc/openid4vci
// (oid4vc-ts, OpenWallet Foundation Labs): resolve the offer (by reference), both metadata documents, token
// with tx_code, nonce, a key proof (Ed25519, jwk header), credential.  Prints one JSON object.
// usage: node oid4vci_wallet.mjs OFFER_LINK TX_CODE|- CONFIGURATION_ID
import crypto from 'node:crypto'
import { Openid4vciClient } from '@openid4vc/openid4vci'
import { clientAuthenticationAnonymous } from '@openid4vc/oauth2'
import { setGlobalConfig } from '@openid4vc/utils'

const [offerLink, txCode, configurationId] = process.argv.slice(2)
setGlobalConfig({ allowInsecureUrls: true }) // the test issuer listens on plain HTTP on loopback

const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519')
const publicJwk = publicKey.export({ format: 'jwk' })
const b64u = (value) => Buffer.from(value).toString('base64url')

const callbacks = {
  hash: (data, alg) => new Uint8Array(crypto.createHash(alg.replace('-', '').toLowerCase()).update(data).digest()),
  generateRandom: (length) => new Uint8Array(crypto.randomBytes(length)),
  clientAuthentication: clientAuthenticationAnonymous(),
  signJwt: async (signer, { header, payload }) => {
    const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`
    const signature = crypto.sign(null, Buffer.from(input), privateKey)
    return { jwt: `${input}.${b64u(signature)}`, signerJwk: publicJwk }
  },
}

const client = new Openid4vciClient({ callbacks })
const credentialOffer = await client.resolveCredentialOffer(offerLink)
const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer)
const { accessTokenResponse } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
  credentialOffer, issuerMetadata, txCode: txCode === '-' ? undefined : txCode,
})
const { c_nonce } = await client.requestNonce({ issuerMetadata })
const proof = await client.createCredentialRequestJwtProof({
  issuerMetadata, credentialConfigurationId: configurationId, nonce: c_nonce,
  signer: { method: 'jwk', alg: 'EdDSA', publicJwk },
})
const response = await client.retrieveCredentials({
  issuerMetadata, credentialConfigurationId: configurationId, accessToken: accessTokenResponse.access_token,
  proofs: { jwt: [proof.jwt] },
})
if (!response.credentialResponse) {
  console.error(JSON.stringify(response))
  process.exit(1)
}
console.log(JSON.stringify({ holderJwk: publicJwk, credentialResponse: response.credentialResponse }))
