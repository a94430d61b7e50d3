// Injected into the CommonJS bundle of the CLI (scripts/bundle-cli.mjs), where it stands in for
// `import.meta.url`: the file URL of the bundle itself.
import { pathToFileURL } from 'node:url';

export const importMetaUrl = pathToFileURL(__filename).href;
