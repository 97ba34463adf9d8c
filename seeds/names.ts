/** Street and community name roots, [Chinese, pinyin]; common in cities of northern China. */
export const nameRoots: [string, string][] = [
  ['友谊', 'Youyi'], ['准噶尔', 'Junggar'], ['昆仑', 'Kunlun'], ['天山', 'Tianshan'], ['迎宾', 'Yingbin'],
  ['胜利', 'Shengli'], ['长征', 'Changzheng'], ['塔河', 'Tahe'], ['油建', 'Youjian'], ['世纪', 'Shiji'],
  ['光明', 'Guangming'], ['和平', 'Heping'], ['民主', 'Minzhu'], ['团结', 'Tuanjie'], ['幸福', 'Xingfu'],
  ['文化', 'Wenhua'], ['建设', 'Jianshe'], ['人民', 'Renmin'], ['解放', 'Jiefang'], ['新华', 'Xinhua'],
  ['长江', 'Changjiang'], ['黄河', 'Huanghe'], ['阿勒泰', 'Altay'], ['石化', 'Shihua'], ['金龙', 'Jinlong'],
  ['银河', 'Yinhe'], ['朝阳', 'Chaoyang'], ['东风', 'Dongfeng'], ['红旗', 'Hongqi'], ['兴业', 'Xingye'],
  ['育才', 'Yucai'], ['翠园', 'Cuiyuan'], ['青年', 'Qingnian'], ['滨河', 'Binhe'], ['北京', 'Beijing'],
  ['南湖', 'Nanhu'], ['百花', 'Baihua'], ['康乐', 'Kangle'], ['永安', 'Yong’an'], ['泰山', 'Taishan'],
];

/** The n-th name from the roots; past the list, numbered ones (经一路-style names are common in China). */
export function nthName(index: number, numbered: (n: number) => [string, string]): [string, string] {
  return nameRoots[index] ?? numbered(index - nameRoots.length + 1);
}
