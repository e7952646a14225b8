// The profiles of the protocol: the seed protocol of the walkthrough, and the
// later one the original server's releases speak under /api/3. Each profile
// is one OpenAPI document (and, where it has notifications, one AsyncAPI
// document); spec/protocol.md says which profiles each requirement binds.

export const profileNames = ["seed", "api3"] as const;
export type ProfileName = (typeof profileNames)[number];

export const defaultProfile: ProfileName = "seed";

export interface SpecProfile {
  name: ProfileName;
  /** One line for --help, reports and docs. */
  title: string;
  /** Prepended to every path of the protocol; the documents' paths already carry it. */
  pathPrefix: string;
  /** Relative to the spec folder. */
  openapiFile: string;
  /** The notification channel's document, relative to the spec folder; absent without notifications. */
  asyncapiFile?: string;
  /** The walkthrough document SYNC-1 replays, relative to the spec folder. */
  walkthroughFile: string;
}

const profiles: Readonly<Record<ProfileName, SpecProfile>> = {
  seed: {
    name: "seed",
    title: "the protocol of the walkthrough (no path prefix)",
    pathPrefix: "",
    openapiFile: "openapi.yaml",
    walkthroughFile: "walkthrough.md",
  },
  api3: {
    name: "api3",
    title: "the protocol of the original server's releases, under /api/3",
    pathPrefix: "/api/3",
    openapiFile: "api3/openapi.yaml",
    asyncapiFile: "api3/asyncapi.yaml",
    walkthroughFile: "api3/walkthrough.md",
  },
};

export function specProfile(name: ProfileName): SpecProfile {
  return profiles[name];
}

export function isProfileName(value: string): value is ProfileName {
  return (profileNames as readonly string[]).includes(value);
}
