#!/usr/bin/env node
// The `itbuddy` command: Node runs the TypeScript sources directly (type stripping), so this only hands over.
import { main } from '../adapters/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
