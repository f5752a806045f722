// Shift+F12 on a link lists every backlink of the note it leads to.
'use strict';

module.exports = {
  title: 'Shift+F12 lists every backlink',
  async run({ wb, sc, say }) {
    await wb.atLink(sc.source, sc.link);
    await wb.page.keyboard.press('Shift+F12');
    // Every backlink the ground truth counts, and the note itself (VS Code
    // asks with includeDeclaration). VS Code's built-in Markdown support
    // answers too and its entries join the list (one at the cursor's word,
    // at least), so the count is a lower bound here; carnet's own answer is
    // checked exactly by the client-library test.
    const want = sc.references.length + 1;
    const got = await wb.until('the references peek', () => wb.peekReferenceCount());
    if (got < want) {
      throw new Error(`the peek lists ${got} references; the ground truth has ${sc.references.length} backlinks`);
    }
    say(`${got} references: the ${sc.references.length} backlinks of the ground truth and the note among them`);
    await wb.page.keyboard.press('Escape');
    await wb.closeAll();
  },
};
