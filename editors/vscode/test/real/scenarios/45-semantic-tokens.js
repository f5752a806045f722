// Semantic tokens as VS Code applies them: a link that resolves is a
// `class` token; a link typed to a note that does not exist is `class` with
// the `unresolved` modifier, which the extension styles as a comment, so it
// is coloured differently while it is typed. Read with "Developer: Inspect
// Editor Tokens and Scopes", as a user would.
'use strict';

module.exports = {
  title: 'a broken link is an unresolved token, coloured apart from a working one',
  async run({ wb, sc, say }) {
    const { page } = wb;
    await wb.atLink(sc.source, sc.link);
    const ok = await wb.inspectToken();
    if (ok['semantic token type'] !== 'class' || /unresolved/.test(ok.modifiers || '')) {
      throw new Error(`${sc.link} in ${sc.source}: ${JSON.stringify(ok)}`);
    }
    say(`${sc.link}: semantic token type class, modifiers "${ok.modifiers || ''}", foreground ${ok.foreground}`);

    await wb.editorFocus();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    // `[[` is auto-closed; typing `]]` steps over the closing brackets.
    await page.keyboard.type(`See [[${sc.missing}]]`);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    const broken = await wb.until('the typed link to turn unresolved', async () => {
      const t = await wb.inspectToken();
      return /unresolved/.test(t.modifiers || '') ? t : null;
    });
    if (broken['semantic token type'] !== 'class') {
      throw new Error(`the typed link: ${JSON.stringify(broken)}`);
    }
    if (broken.foreground === ok.foreground) {
      throw new Error(`the broken link has the working link's colour ${ok.foreground}`);
    }
    say(`[[${sc.missing}]]: class, modifiers "${broken.modifiers}", foreground ${broken.foreground}`);
    await wb.closeAll();
  },
};
