// The types of the api3 profile, generated from spec/api3/openapi.yaml (npm run generate).
import type { components } from "./generated/api3.js";

type Api3Schemas = components["schemas"];
export type Api3SignupRequest = Api3Schemas["SignupRequest"];
export type Api3SignupResponse = Api3Schemas["SignupResponse"];
export type Api3AuthRequest = Api3Schemas["AuthRequest"];
export type Api3AuthResponse = Api3Schemas["AuthResponse"];
export type Api3WalletRequest = Api3Schemas["WalletRequest"];
export type Api3Wallet = Api3Schemas["Wallet"];
export type Api3PasswordChangeRequest = Api3Schemas["PasswordChangeRequest"];
export type Api3SaltSeedResponse = Api3Schemas["SaltSeedResponse"];
