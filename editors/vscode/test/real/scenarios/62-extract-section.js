// Refactor… on a heading extracts its section into a new note: the note is
// created with the section (its heading as the title), a link is left in
// its place, and a link elsewhere to that heading follows it.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

/** Every Markdown file under `dir`, by path, with its text. */
function snapshot(dir, out = new Map()) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && !e.name.startsWith('.')) snapshot(p, out);
    else if (e.isFile() && e.name.endsWith('.md')) out.set(p, fs.readFileSync(p, 'utf8'));
  }
  return out;
}

module.exports = {
  title: 'Refactor… extracts a section into a new note, leaving a link; links to its heading follow it',
  async run({ wb, sc, say }) {
    const { page } = wb;
    const x = sc.vscode.extract;
    const created = wb.abs(`${x.heading}.md`);
    const before = snapshot(wb.abs('.'));
    try {
      await wb.openNote(x.note);
      await wb.ready();
      await wb.goTo(x.line, 5);
      await wb.command('Refactor...');
      await wb.chooseAction(`Extract section "${x.heading}" to new note "${x.heading}", leaving a link`);
      await wb.until(`${x.heading}.md on disk`, () => fs.existsSync(created));
      await wb.saveAll();
      await wb.until('the new note to hold the section', () =>
        wb.read(`${x.heading}.md`).startsWith(`# ${x.heading}\n`),
      );
      const left = wb.read(x.note);
      if (!left.includes(`[[${x.heading}]]`) || left.includes(`### ${x.heading}\n`)) {
        throw new Error(`${x.note} after the extraction:\n${left}`);
      }
      for (const l of x.linkers) {
        const line = wb.read(l.source).split('\n')[l.line - 1];
        if (!line.includes(`[[${x.heading}#${x.heading}`)) {
          throw new Error(`${l.source}:${l.line} still reads ${JSON.stringify(line)}`);
        }
      }
      say(`${x.note}: section "${x.heading}" → ${x.heading}.md, [[${x.heading}]] left; ${x.linkers.length} link(s) to it follow`);
      await page.keyboard.press('Escape');
    } finally {
      await wb.closeAll();
      // Put the vault back for the scenarios after this one.
      if (fs.existsSync(created) && !before.has(created)) fs.rmSync(created);
      for (const [p, text] of before) {
        if (!fs.existsSync(p) || fs.readFileSync(p, 'utf8') !== text) fs.writeFileSync(p, text);
      }
    }
  },
};
