// TypeDoc plugin for the docs site:
// names each entry point's module after its package (`@tensorzoo/core` instead of
// `core/src`), read from the package.json beside the entry point's folder.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Converter, ReflectionKind } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const module of context.project.getChildrenByKind(ReflectionKind.Module)) {
      const source = module.sources?.[0]?.fullFileName;
      if (!source) continue;
      const packageJson = join(dirname(source), '..', 'package.json');
      module.name = JSON.parse(readFileSync(packageJson, 'utf8')).name;
    }
  });
}
