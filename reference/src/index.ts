// The public API of the reference server.
export {
  startReferenceServer,
  createReferenceHandler,
  type ReferenceServer,
  type ReferenceServerOptions,
  type ReferenceHandlerOptions,
  type ReferenceHandler,
} from "./server.js";
export {
  MemoryStore,
  StoreUnavailableError,
  isApi3Store,
  type WalletStore,
  type Api3Store,
  type PasswordChange,
  type PasswordChangeOutcome,
  type PasswordChangeRefusal,
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
export { handleSignup, handleAuth, handleGetWallet, handlePostWallet, type Handler, type RequestInput, type Services } from "./handlers.js";
export {
  handleApi3Signup,
  handleApi3Auth,
  handleApi3GetWallet,
  handleApi3PostWallet,
  handlePasswordChange,
  handleSaltSeed,
  openNotificationSocket,
  accountEmail,
  type SocketDecision,
} from "./api3-handlers.js";
export { NotificationHub, defaultNotificationLimits, walletUpdateFrame, type NotificationLimits, type SocketRefusal } from "./notifications.js";
export { errorResult, walletBody, type HandlerResult } from "./responses.js";
export { routeTables, seedRoutes, api3Routes, createRouter, type Endpoint, type Route, type RouteTable, type Router } from "./routes.js";
export { PasswordHasher, defaultScryptCost, type PasswordHash } from "./passwords.js";
export { tokenLifetimeMs, newToken, tokenDigest } from "./tokens.js";
export { isBareEmail } from "./email.js";
export { defaultBodyLimitBytes } from "./body.js";
