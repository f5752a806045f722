// Completion after `[[`, typed fast (the `[[Alpha]]]]` bug) and slowly: each
// gives exactly one well-formed link, and the link resolves.
//
// VS Code auto-closes `[` only once it has tokenized the line, so on a busy
// machine `[[` is followed by `]]`, by `]` (the first `[` typed before the
// line was tokenized, the second after) or by nothing. The fast tries hit
// whichever the machine gives; the `]` case, which gave `[[Command palette]]]`,
// is also made on purpose, so that it is tried on every run.
'use strict';
const { sleep } = require('../workbench');

const TRIES = 24;

module.exports = {
  title: 'completion typed fast and slowly gives one well-formed link that resolves',
  async run({ wb, sc, say }) {
    const { page } = wb;
    await wb.openNote(sc.source);
    await wb.ready();
    const want = `Also [[${sc.complete_label}]]`;
    const accept = async () => {
      await wb.until(`"${sc.complete_label}" selected in the suggestions`, async () => (await wb.focusedSuggestion()) === sc.complete_label);
      // What followed the cursor when Enter went in: what VS Code had auto-closed.
      const line = (await wb.cursorLine()) ?? '';
      const at = line.indexOf(sc.complete_query) + sc.complete_query.length;
      const closed = line.slice(at);
      await page.keyboard.press('Enter');
      return closed;
    };
    const check = async (what) =>
      wb.until(`${what} to read ${want}`, async () => (await wb.cursorLine()) === want, 5000).catch(async () => {
        throw new Error(`${what}: the line reads ${JSON.stringify(await wb.cursorLine())}, want ${JSON.stringify(want)}`);
      });
    const seen = {};
    // Fast: 0–30 ms between keys, then 0–200 ms before Enter, without waiting
    // for the list to show first (the list must be up for Enter to accept).
    for (let i = 0; i < TRIES; i++) {
      const keyDelay = [0, 10, 20, 30][i % 4];
      const enterDelay = Math.round((i * 200) / (TRIES - 1));
      await page.keyboard.press('Control+End');
      await page.keyboard.press('Enter');
      await page.keyboard.type(`Also [[${sc.complete_query}`, { delay: keyDelay });
      await sleep(enterDelay);
      const closed = await accept();
      seen[closed || 'nothing'] = (seen[closed || 'nothing'] || 0) + 1;
      await check(`fast try ${i + 1} (${keyDelay} ms between keys, ${enterDelay} ms before Enter, ${JSON.stringify(closed)} after the cursor)`);
    }
    // A single `]` after the cursor, made on purpose.
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.type(`Also [[${sc.complete_query}`);
    await page.keyboard.press('End');
    const one = `Also [[${sc.complete_query}]`;
    const line = await wb.cursorLine();
    if (line.endsWith(']]')) {
      await page.keyboard.press('Backspace');
    } else if (!line.endsWith(']')) {
      await page.keyboard.type(']');
    }
    await wb.until(`the line to read ${one}`, async () => (await wb.cursorLine()) === one);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Control+Space');
    await accept();
    await check('completion before a single "]"');
    // Slowly: the list is up before the name is typed.
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('Also [[');
    await wb.until('the suggestion list', async () => (await wb.suggestions()).length > 0);
    await page.keyboard.type(sc.complete_query, { delay: 150 });
    await accept();
    await check('the slow try');
    // The link resolves: carnet draws it as a document link.
    await wb.until('the completed link to be a document link', () => wb.linkOnCursorLine(sc.complete_label));
    const after = Object.entries(seen).map(([k, n]) => `${n}× ${JSON.stringify(k)}`).join(', ');
    say(`${TRIES} fast tries (after the cursor: ${after}), one before a single "]" and a slow one each wrote ${want}, which resolves`);
    await wb.closeAll();
  },
};
