// Fenced code blocks of a Markdown text (README.md, docs/), for the tests that check or run them.

export interface Snippet {
  /** 1-based line of the opening fence */
  line: number;
  lang: string;
  flags: Set<string>;
  code: string;
}

export const TS_LANGS = new Set(['ts', 'typescript', 'mts', 'cts']);

/**
 * The fenced code blocks of a Markdown text (``` or ~~~, three or more,
 * indented as in a list item), with their language and info-string flags.
 */
export function extractSnippets(markdown: string): Snippet[] {
  const lines = markdown.split(/\r?\n/);
  const out: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( {0,12})(`{3,}|~{3,})\s*([^\s`]*)\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, lang = '', rest = ''] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const l = lines[j]!;
      const close = new RegExp(`^ {0,12}${fence![0]}{${fence!.length},}\\s*$`).exec(l);
      if (close) break;
      body.push(l.startsWith(indent!) ? l.slice(indent!.length) : l.trimStart());
    }
    out.push({ line: i + 1, lang: lang.toLowerCase(), flags: new Set(rest.split(/[\s,]+/).filter(Boolean)), code: body.join('\n') + '\n' });
    i = j;
  }
  return out;
}
