// Generates the parts of the docs that come from the code and from measurements, at build
// time, into apps/docs/generated (included by the pages) and apps/docs/public/images:
//   - results/<example>.md   the row of the root README's example table, with its command
//   - performance.md         tables from bench/results/latest.json
//   - params/<model>.md      parameter names and shapes of models built from the BUILT packages
//   - options/<Interface>.md option tables from the TSDoc (TypeDoc's JSON, run typedoc first)
//   - api-coverage.json      documented / total API symbols (also appended to api/index.md)
// Run after `typedoc` (the build script does: typedoc && node scripts/generate.mjs && vitepress build).
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MODEL_TABLES, OPTION_TABLES } from './models.mjs';

const repository = fileURLToPath(new URL('../../../', import.meta.url));
const docs = fileURLToPath(new URL('../', import.meta.url));
const generated = `${docs}generated/`;

/** Writes `text` to generated/<path>, creating folders. */
function write(path, text) {
  const file = `${generated}${path}`;
  mkdirSync(file.slice(0, file.lastIndexOf('/')), { recursive: true });
  writeFileSync(file, text);
}

const escapeCell = (text) => String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');
const table = (header, rows) =>
  [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(escapeCell).join(' | ')} |`)].join('\n') + '\n';

/** docs/assets/*.png -> public/images (served as /images/...). */
function copyAssets() {
  const from = `${repository}docs/assets/`;
  const to = `${docs}public/images/`;
  rmSync(to, { recursive: true, force: true });
  mkdirSync(to, { recursive: true });
  const files = readdirSync(from).filter((name) => /\.(png|svg|jpg)$/.test(name));
  for (const name of files) copyFileSync(from + name, to + name);
  return files.length;
}

/** One include per row of the root README's "Examples" table. */
function exampleResults() {
  const readme = readFileSync(`${repository}README.md`, 'utf8');
  const start = readme.indexOf('## Examples');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  const rows = section.split('\n').filter((line) => /^\| `[a-z0-9-]+` \|/.test(line));
  if (rows.length === 0) throw new Error('generate: no example rows found in the root README "## Examples" table.');
  const names = [];
  for (const line of rows) {
    const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim());
    const name = cells[0].replace(/`/g, '');
    names.push(name);
    write(
      `results/${name}.md`,
      table(['example', 'model and data', 'result', 'time'], [cells]).replace(/\\\|/g, '\\|') +
        `\nReproduce: \`npx tensorzoo train ${name}\` (in this repository: \`node packages/cli/dist/bin.cjs train ${name}\`); ` +
        'it writes `loss.png`, `checkpoint.safetensors` and `history.json` under `runs/' + name + '`.\n',
    );
  }
  return names;
}

const ms = (value) => (value === undefined ? '–' : value < 10 ? value.toFixed(3) : value.toFixed(1));
const ratio = (value) => (value === undefined ? '–' : `${value.toFixed(2)}x`);

/** The performance page body from bench/results/latest.json. */
function performanceTables() {
  const report = JSON.parse(readFileSync(`${repository}bench/results/latest.json`, 'utf8'));
  const machine = report.machine ?? {};
  const lines = [];
  lines.push(
    `Measured ${report.date} by \`pnpm bench\` (${Math.round(report.seconds ?? 0)} s) on ${machine.cpu ?? '?'} x ${machine.cores ?? '?'}, ` +
      `${machine.os ?? ''}, Node ${machine.node ?? '?'}; 1-minute load average ${machine.loadAverageAtStart ?? '?'} at the start ` +
      '(a shared machine: read the ratios, not the absolute times).',
    '',
    `tfjs-core ${report.versions?.tfjsCore ?? '?'}, tfjs-layers ${report.versions?.tfjsLayers ?? '?'}` +
      (report.torch?.available ? `, PyTorch ${report.torch.torchVersion}` : '') + '.',
    '',
    '### Cases',
    '',
    table(['case', 'what it trains'], (report.cases ?? []).map((c) => [`\`${c.name}\``, c.description])),
    '### Backends',
    '',
    table(['backend', 'detail'], (report.backends ?? []).map((b) => [`\`${b.name}\``, b.detail])),
    '### Step time',
    '',
    'Median milliseconds per training step (forward + backward + Adam update + loss read back). Lower is better.',
    '',
    table(
      ['case', 'backend', 'TensorZoo step', 'TensorZoo fit()', 'tfjs-layers', 'PyTorch 1 thread', 'PyTorch 2 threads', 'TensorZoo / tfjs-layers', 'TensorZoo / PyTorch'],
      (report.speed ?? []).map((s) => [
        s.case, s.backend, ms(s.tensorzoo?.medianMs), ms(s.tensorzooFit?.medianMs), ms(s.layers?.medianMs),
        ms(s.pytorch?.['1']?.medianMs), ms(s.pytorch?.['2']?.medianMs), ratio(s.ratios?.tensorzooOverLayers), ratio(s.ratios?.tensorzooOverPytorch),
      ]),
    ),
    '### Memory',
    '',
    '`tf.memory()` after one warm-up step and after 200 more (reported, not asserted; the tests assert it).',
    '',
    table(
      ['case', 'backend', 'path', 'numTensors before -> after', 'numBytes before -> after'],
      (report.memory ?? []).map((m) => [m.case, m.backend, m.path, `${m.numTensors.before} -> ${m.numTensors.after}`, `${m.numBytes.before} -> ${m.numBytes.after}`]),
    ),
  );
  if ((report.notes ?? []).length > 0) lines.push('### Notes from the run', '', ...report.notes.map((note) => `- ${note}`), '');
  write('performance.md', lines.join('\n'));
  return (report.speed ?? []).length;
}

const formatShape = (shape) => `[${shape.join(', ')}]`;

/** Parameter-name tables of real models from the built packages. */
async function parameterTables() {
  const tf = await import('@tensorflow/tfjs-core');
  const { setBackend } = await import('@tensorzoo/core');
  await setBackend('cpu');
  for (const entry of MODEL_TABLES) {
    const module = await import(entry.package);
    const Model = module[entry.exportName];
    if (typeof Model !== 'function') throw new Error(`generate: ${entry.package} has no export ${entry.exportName}.`);
    const model = entry.factory ? Model(...entry.args) : new Model(...entry.args);
    const variables = model.namedVariables();
    const trainable = model.parameterCount();
    const rows = variables.map(([name, variable]) => [`\`${name}\``, formatShape(variable.shape), variable.size.toLocaleString('en-US'), variable.trainable ? 'parameter' : 'buffer']);
    write(
      `params/${entry.id}.md`,
      `Built from the published package as ${entry.note}: ${trainable.toLocaleString('en-US')} trainable parameters ` +
        `in ${variables.length} tensors. These are the \`state_dict\` names and shapes (PyTorch layouts).\n\n` +
        table(['name', 'shape', 'size', 'kind'], rows),
    );
    model.dispose();
  }
  if (tf.memory().numTensors > 0) tf.disposeVariables();
  return MODEL_TABLES.length;
}

/** Renders a TypeDoc JSON type as TypeScript-like text. */
function typeText(type) {
  if (!type) return 'unknown';
  switch (type.type) {
    case 'intrinsic':
      return type.name;
    case 'literal':
      return JSON.stringify(type.value);
    case 'reference':
      return type.typeArguments?.length ? `${type.name}<${type.typeArguments.map(typeText).join(', ')}>` : type.name;
    case 'union':
      return type.types.map(typeText).join(' | ');
    case 'array':
      return `${typeText(type.elementType)}[]`;
    case 'tuple':
      return `[${(type.elements ?? []).map(typeText).join(', ')}]`;
    case 'typeOperator':
      return `${type.operator} ${typeText(type.target)}`;
    case 'reflection':
      return type.declaration?.signatures ? 'function' : 'object';
    default:
      return type.type;
  }
}

const commentText = (comment) => (comment?.summary ?? []).map((part) => part.text).join('').replace(/\s+/g, ' ').trim();

/** Options tables from the TSDoc of the config interfaces. */
function optionTables(project) {
  let count = 0;
  for (const [packageName, interfaces] of Object.entries(OPTION_TABLES)) {
    const pkg = project.children.find((child) => child.name === packageName);
    if (!pkg) throw new Error(`generate: TypeDoc JSON has no package ${packageName}.`);
    for (const name of interfaces) {
      const reflection = pkg.children?.find((child) => child.name === name);
      if (!reflection) throw new Error(`generate: ${packageName} exports no ${name} (update scripts/models.mjs).`);
      const properties = (reflection.children ?? []).filter((child) => child.kind === 1024);
      const rows = properties.map((property) => [`\`${property.name}${property.flags?.isOptional ? '?' : ''}\``, `\`${typeText(property.type)}\``, commentText(property.comment) || '–']);
      const slug = packageName.replace('@tensorzoo/', '');
      write(
        `options/${name}.md`,
        `[\`${name}\`](/api/${slug}#${name.toLowerCase()}) (from the TSDoc of \`${packageName}\`):\n\n` + table(['option', 'type', 'description'], rows),
      );
      count++;
    }
  }
  return count;
}

/** Kinds TypeDoc's notDocumented validation checks (see typedoc.json requiredToBeDocumented), plus properties. */
const KINDS = { 8: 'Enum', 16: 'EnumMember', 32: 'Variable', 64: 'Function', 128: 'Class', 256: 'Interface', 1024: 'Property', 2048: 'Method', 262144: 'Accessor', 2097152: 'TypeAlias' };

function hasComment(reflection) {
  if (commentText(reflection.comment)) return true;
  for (const signature of [...(reflection.signatures ?? []), reflection.getSignature, reflection.setSignature].filter(Boolean)) {
    if (commentText(signature.comment)) return true;
  }
  return false;
}

/** Documented / total API symbols, by package. */
function apiCoverage(project) {
  const perPackage = {};
  const undocumented = [];
  const visit = (reflection, packageName, path) => {
    for (const child of reflection.children ?? []) {
      if (child.flags?.isExternal || child.inheritedFrom) continue;
      const kind = KINDS[child.kind];
      const name = path ? `${path}.${child.name}` : child.name;
      if (kind) {
        const stats = (perPackage[packageName] ??= { documented: 0, total: 0, exports: 0, exportsDocumented: 0 });
        stats.total++;
        const documented = hasComment(child);
        if (documented) stats.documented++;
        else undocumented.push(`${packageName} ${name} (${kind})`);
        if (!path) {
          stats.exports++;
          if (documented) stats.exportsDocumented++;
        }
      }
      visit(child, packageName, name);
      // Members of inline object types (`options: { a?: number }`, type aliases of object literals).
      const declaration = child.type?.type === 'reflection' ? child.type.declaration : undefined;
      if (declaration) visit(declaration, packageName, name);
      for (const signature of child.signatures ?? []) {
        for (const parameter of signature.parameters ?? []) {
          if (parameter.type?.type === 'reflection') visit(parameter.type.declaration, packageName, `${name}(${parameter.name})`);
        }
      }
    }
  };
  for (const pkg of project.children) visit(pkg, pkg.name, '');
  const totals = Object.values(perPackage).reduce(
    (sum, stats) => ({ documented: sum.documented + stats.documented, total: sum.total + stats.total, exports: sum.exports + stats.exports, exportsDocumented: sum.exportsDocumented + stats.exportsDocumented }),
    { documented: 0, total: 0, exports: 0, exportsDocumented: 0 },
  );
  write('api-coverage.json', JSON.stringify({ totals, perPackage, undocumented }, null, 2) + '\n');
  const index = `${docs}api/index.md`;
  if (existsSync(index)) {
    appendFileSync(
      index,
      `\n## Coverage\n\nGenerated from the TSDoc comments of every package's \`src/index.ts\` on every docs build. ` +
        `Exports documented: **${totals.exportsDocumented} / ${totals.exports}**; all symbols including members: ` +
        `**${totals.documented} / ${totals.total}**.\n\n` +
        table(['package', 'exports documented', 'symbols documented'], Object.entries(perPackage).map(([name, s]) => [name, `${s.exportsDocumented} / ${s.exports}`, `${s.documented} / ${s.total}`])),
    );
  }
  return totals;
}

/** Every error code thrown with a literal `new XError('code', ...)` in the packages' sources. */
function errorCodes() {
  const found = new Map(); // "Class code" -> Set of packages
  const walk = (folder, packageName) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = `${folder}/${entry.name}`;
      if (entry.isDirectory()) walk(path, packageName);
      else if (entry.name.endsWith('.ts') && !entry.name.includes('.test')) {
        for (const match of readFileSync(path, 'utf8').matchAll(/new (ShapeError|ArgumentError|BackendError|CheckpointError|TrainingError)\(\s*'([a-z0-9-]+)'/g)) {
          const key = `${match[1]} ${match[2]}`;
          if (!found.has(key)) found.set(key, new Set());
          found.get(key).add(packageName);
        }
      }
    }
  };
  for (const name of readdirSync(`${repository}packages`)) {
    if (existsSync(`${repository}packages/${name}/src`)) walk(`${repository}packages/${name}/src`, name);
  }
  const rows = [...found.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, packages]) => {
    const [className, code] = key.split(' ');
    return [`\`${className}\``, `\`${code}\``, [...packages].sort().join(', ')];
  });
  write('error-codes.md', table(['class', 'code', 'thrown in'], rows));
  return rows.length;
}

const started = performance.now();
mkdirSync(generated, { recursive: true });
const assets = copyAssets();
const examples = exampleResults();
const speedRows = performanceTables();
const models = await parameterTables();
const codes = errorCodes();
const typedocJson = `${generated}typedoc.json`;
if (!existsSync(typedocJson)) throw new Error('generate: generated/typedoc.json is missing; run typedoc first (pnpm --filter docs api).');
const project = JSON.parse(readFileSync(typedocJson, 'utf8'));
const options = optionTables(project);
const coverage = apiCoverage(project);
console.log(
  `generate: ${assets} images, ${examples.length} example results, ${speedRows} benchmark rows, ${models} parameter tables, ` +
    `${options} option tables, ${codes} error codes; API: ${coverage.exportsDocumented}/${coverage.exports} exports and ${coverage.documented}/${coverage.total} symbols documented ` +
    `(${((performance.now() - started) / 1000).toFixed(1)} s)`,
);
