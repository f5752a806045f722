// Completion after `[[`, typed fast (the `[[Alpha]]]]` bug) and slowly: each
// gives exactly one well-formed link, and the link resolves.
'use strict';

module.exports = {
  title: 'completion typed fast and slowly gives one well-formed link that resolves',
  async run({ wb, sc, say }) {
    const { page } = wb;
    await wb.openNote(sc.source);
    await wb.ready();
    const want = `Also [[${sc.complete_label}]]`;
    const accept = async () => {
      await wb.until(`"${sc.complete_label}" selected in the suggestions`, async () => (await wb.focusedSuggestion()) === sc.complete_label);
      await page.keyboard.press('Enter');
    };
    const tries = [0, 10, 20, 30, 0, 10];
    for (const [i, delay] of tries.entries()) {
      await page.keyboard.press('Control+End');
      await page.keyboard.press('Enter');
      await page.keyboard.type(`Also [[${sc.complete_query}`, { delay });
      await accept();
      await wb.until(`line ${i + 1} to read ${want}`, async () => (await wb.cursorLine()) === want, 5000).catch(async () => {
        throw new Error(`fast try ${i + 1} (${delay} ms between keys): the line reads ${JSON.stringify(await wb.cursorLine())}, want ${JSON.stringify(want)}`);
      });
    }
    // Slowly: the list is up before the name is typed.
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('Also [[');
    await wb.until('the suggestion list', async () => (await wb.suggestions()).length > 0);
    await page.keyboard.type(sc.complete_query, { delay: 150 });
    await accept();
    await wb.until(`the slow try to read ${want}`, async () => (await wb.cursorLine()) === want, 5000);
    // The link resolves: carnet draws it as a document link.
    await wb.until('the completed link to be a document link', () => wb.linkOnCursorLine(sc.complete_label));
    say(`${tries.length} fast tries and a slow one each wrote ${want}, which resolves`);
    await wb.closeAll();
  },
};
