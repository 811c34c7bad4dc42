// Regenerate playbooks/schema.json from the zod schema (src/playbook/schema.ts) after `npm run build`.
import { writeFileSync } from 'node:fs';
import { playbookSchemaText } from '../dist/src/playbook/schema.js';
writeFileSync(new URL('../playbooks/schema.json', import.meta.url), playbookSchemaText());
console.error('wrote playbooks/schema.json');
