// The graph view updates as the note changes: a link typed into the open
// note (not saved) adds its target to the view, with one more edge, and the
// view is saved as a screenshot under the suite's artifacts.
'use strict';
const path = require('node:path');

module.exports = {
  title: 'a link typed into the note adds its target to the open graph view; a screenshot of the view',
  async run({ wb, sc, say }) {
    const { page } = wb;
    // The first note of 70-graph, and a note of the ground truth that is not
    // in its neighbourhood (the third, opened there from Quick Open).
    const [first, , other] = sc.vscode.graph;
    if (first.nodes.includes(other.note)) {
      throw new Error(`${other.note} is already a neighbour of ${first.note}: the scenario needs another note`);
    }
    await wb.openNote(first.note);
    await wb.ready();
    await wb.command('carnet: Show Graph');
    const frame = await wb.graphFrame();
    const before = await wb.graphOf(frame, first.note, first.nodes);
    const edges = await frame.evaluate(() => Number(document.getElementById('graph').dataset.edges));
    say(`${first.note}: ${before.status}, ${edges} linked pairs`);

    // Type a link to the other note at the end of the note, as a user would.
    await wb.editorFocus();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    const link = `[[${other.note.replace(/\.md$/, '')}]]`;
    await wb.typeLine(`See ${link}`, `See ${link.slice(0, -2)}`);
    // The view asks again once typing stops: the new note joins, with an
    // edge from the note to it, and everything else stays.
    const nodes = [...first.nodes, other.note].sort();
    const after = await wb.graphOf(frame, first.note, nodes);
    const edgesAfter = await frame.evaluate(() => Number(document.getElementById('graph').dataset.edges));
    if (edgesAfter !== edges + 1) {
      throw new Error(`the view holds ${edgesAfter} linked pairs after the edit, want ${edges + 1}`);
    }
    say(`typing ${link} (unsaved) redrew the view: ${after.status}, ${edgesAfter} linked pairs, ${other.note} drawn`);

    // The screenshot: the whole window (the note with its new line beside
    // the view), and the view alone.
    const artifacts = process.env.CARNET_ARTIFACTS || path.join(__dirname, '../../../../../target/vscode-e2e');
    const window = path.join(artifacts, '71-graph-updates-window.png');
    const view = path.join(artifacts, '71-graph-updates-view.png');
    await page.screenshot({ path: window });
    await frame.locator('body').screenshot({ path: view });
    say(`screenshots: ${window}`);
    say(`             ${view}`);
    await wb.closeAll();
  },
};
