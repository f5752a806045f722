// F2 on a link renames the note it leads to and fixes every link on disk.
'use strict';

const fs = require('node:fs');

module.exports = {
  title: 'F2 on a link renames the note and every link to it',
  async run({ wb, sc, say }) {
    await wb.atLink(sc.source, sc.link);
    await wb.page.keyboard.press('F2');
    await wb.renameTo(sc.new_name);
    await wb.until(`${sc.renamed} on disk`, () => fs.existsSync(wb.abs(sc.renamed)) && !fs.existsSync(wb.abs(sc.target)));
    await wb.saveAll();
    wb.expectLines(sc.backlinks, { [sc.target]: sc.renamed });
    say(`${sc.target} -> ${sc.renamed}; ${sc.backlinks.length} linking lines read as they must`);
    await wb.closeAll();
  },
};
