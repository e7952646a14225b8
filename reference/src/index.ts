// The public API of the reference server.
export {
  startReferenceServer,
  createReferenceHandler,
  type ReferenceServer,
  type ReferenceServerOptions,
  type ReferenceHandlerOptions,
  type ReferenceHandler,
} from "./http/server.js";
export {
  MemoryStore,
  StoreUnavailableError,
  isApi3Store,
  logInInSteps,
  setWalletWithTokenInSteps,
  followsSequence,
  passwordChangeRefusal,
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
  type LogIn,
  type TokenWalletWrite,
  type SetWalletOutcome,
  type Account,
  type TokenRecord,
} from "./store/store.js";
export { PostgresStore, openPostgresStore, StoreOpenError, type PostgresStoreOptions } from "./store/postgres-store.js";
export { schemaStatements } from "./store/postgres-schema.js";
export { handleSignup, handleAuth, handleGetWallet, handlePostWallet, type Handler, type RequestInput, type Services } from "./http/handlers.js";
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
} from "./http/api3-handlers.js";
export { SharedNotificationHub, listenerLostClose } from "./http/shared-notifications.js";
export { listenToStoreEvents, type StoreEvent, type StoreEventFeed, type StoreEventListener } from "./store/postgres-events.js";
export { NotificationHub, defaultNotificationLimits, walletUpdateFrame, type NotificationLimits, type SocketRefusal } from "./http/notifications.js";
export { errorResult, walletBody, type HandlerResult } from "./http/responses.js";
export { routeTables, seedRoutes, api3Routes, createRouter, type Endpoint, type Route, type RouteTable, type Router } from "./http/routes.js";
export { PasswordHasher, defaultScryptCost, type PasswordHash } from "./store/passwords.js";
export { tokenLifetimeMs, newToken, tokenDigest } from "./store/tokens.js";
export { isBareEmail } from "./http/email.js";
export { defaultBodyLimitBytes } from "./http/body.js";
