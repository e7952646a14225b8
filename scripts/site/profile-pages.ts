// The docs' pages of each profile: its API reference, its walkthrough, its
// traceability matrix and, where it has notifications, their page. The
// default profile keeps the plain names (api.html); another profile's pages
// are named after it (api3.html, api3-walkthrough.html).
import { defaultProfile, profileNames, specProfile, type ProfileName } from "../../spec/index.js";

export interface ProfilePages {
  profile: ProfileName;
  api: string;
  walkthrough: string;
  traceability: string;
  notifications?: string;
}

export function profilePages(profile: ProfileName): ProfilePages {
  const prefix = profile === defaultProfile ? "" : `${profile}-`;
  return {
    profile,
    api: profile === defaultProfile ? "api.html" : `${profile}.html`,
    walkthrough: `${prefix}walkthrough.html`,
    traceability: `${prefix}traceability.html`,
    ...(specProfile(profile).asyncapiFile !== undefined ? { notifications: `${prefix}notifications.html` } : {}),
  };
}

/** Spec files, by their path under spec/, and the pages they become. */
export function specFilePages(): Record<string, string> {
  const pages: Record<string, string> = { "protocol.md": "protocol.html" };
  for (const profile of profileNames) {
    const { openapiFile, walkthroughFile, asyncapiFile } = specProfile(profile);
    const built = profilePages(profile);
    pages[openapiFile] = built.api;
    pages[walkthroughFile] = built.walkthrough;
    if (asyncapiFile !== undefined && built.notifications !== undefined) pages[asyncapiFile] = built.notifications;
  }
  return pages;
}
