#!/usr/bin/env node
// Entry point of the kubectl plugin: install as `kubectl-exkey` on the PATH (package.json "bin").
import { runKubectlPlugin } from './command.ts';

process.exitCode = await runKubectlPlugin(process.argv.slice(2));
