// F12 on a link lands on the heading or block it names.
'use strict';

const path = require('node:path');

module.exports = {
  title: 'F12 lands on the heading or the block a link names',
  async run({ wb, sc, say }) {
    for (const d of [sc.vscode.heading, sc.vscode.block]) {
      await wb.atLink(d.source, d.link, d.source_line);
      await wb.page.keyboard.press('F12');
      await wb.until(`${d.target} to open`, async () => (await wb.activeTab()) === path.basename(d.target));
      await wb.until(`the cursor on line ${d.line} of ${d.target}`, async () => (await wb.cursor())?.line === d.line);
      say(`${d.link} in ${d.source} -> ${d.target}:${d.line}`);
    }
    await wb.closeAll();
  },
};
