// A broken link shows in the Problems panel, its quick fix works, and the
// carnet.diagnostics setting changes what is shown.
'use strict';

const fs = require('node:fs');

module.exports = {
  title: 'a broken link in the Problems panel, its quick fix, and carnet.diagnostics',
  async run({ wb, sc, say }) {
    const { page } = wb;
    const created = `${sc.missing}.md`;
    await wb.openNote(sc.source);
    await wb.ready();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await wb.typeLine(`See [[${sc.missing}]]`, `See [[${sc.missing}`);
    await wb.command('View: Focus Problems (Errors, Warnings, Infos)');
    await wb.until(`a problem naming ${sc.missing}`, async () => (await wb.problems()).some((p) => p.includes(sc.missing)));
    say(`Problems: ${(await wb.problems()).find((p) => p.includes(sc.missing))}`);

    // The setting turns the problem off, and back on.
    wb.workspaceSettings({ 'carnet.diagnostics': { 'unresolved-link': 'off' } });
    await wb.until('the problem to go with unresolved-link off', async () => !(await wb.problems()).some((p) => p.includes(sc.missing)));
    wb.workspaceSettings({});
    await wb.until('the problem to come back', async () => (await wb.problems()).some((p) => p.includes(sc.missing)));
    say('carnet.diagnostics "unresolved-link": "off" hides it; removing the setting shows it again');

    // Quick fix: create the note.
    await wb.editorFocus();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Control+.');
    await wb.chooseAction(`Create note "${sc.missing}"`);
    await wb.until(`${created} on disk`, () => fs.existsSync(wb.abs(created)));
    await wb.until('the problem to clear', async () => !(await wb.problems()).some((p) => p.includes(sc.missing)));
    say(`quick fix created ${created}; the problem cleared`);
    await wb.closeAll();
    fs.rmSync(wb.abs(created));
  },
};
