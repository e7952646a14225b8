#!/usr/bin/env node
// The wallet-sync-conformance command (see cli/main.ts).
import { main } from "./cli/main.js";

const exitCode = await main(process.argv.slice(2));
process.exitCode = exitCode;
// A server that keeps a connection open must not keep the command from ending.
setTimeout(() => process.exit(exitCode), 1000).unref();
