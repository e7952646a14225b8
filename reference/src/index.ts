// The public API of the reference server.
export {
  startReferenceServer,
  createReferenceHandler,
  type ReferenceServer,
  type ReferenceServerOptions,
  type ReferenceHandlerOptions,
} from "./server.js";
export {
  MemoryStore,
  StoreUnavailableError,
  type WalletStore,
  type MemoryStoreOptions,
  type WalletVersion,
  type UserId,
  type SignupOutcome,
  type IssuedToken,
  type TokenOwner,
  type SetWalletOutcome,
  type Account,
  type TokenRecord,
} from "./store.js";
export { PostgresStore, openPostgresStore, StoreOpenError, type PostgresStoreOptions } from "./postgres-store.js";
export { schemaStatements } from "./postgres-schema.js";
export { handleSignup, handleAuth, handleGetWallet, handlePostWallet, type Handler, type RequestInput } from "./handlers.js";
export { errorResult, walletBody, type HandlerResult } from "./responses.js";
export { routes, type Endpoint, type Route } from "./routes.js";
export { PasswordHasher, defaultScryptCost, type PasswordHash } from "./passwords.js";
export { tokenLifetimeMs, newToken, tokenDigest } from "./tokens.js";
export { isBareEmail } from "./email.js";
export { defaultBodyLimitBytes } from "./body.js";
