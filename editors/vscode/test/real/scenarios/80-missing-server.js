// A server that is not there is reported clearly, and fixing the setting
// brings carnet back without a reload.
'use strict';

module.exports = {
  title: 'a missing server is reported clearly',
  async run({ wb, sc, say }) {
    const missing = '/nonexistent/carnet';
    wb.workspaceSettings({ 'carnet.server.path': missing });
    const message = await wb.until('an error naming the missing server', async () =>
      (await wb.notifications()).find((m) => m.includes(missing)),
    60000);
    if (!/is not a file/.test(message) || !/carnet\.server\.path/.test(message)) {
      throw new Error(`unclear message: ${message}`);
    }
    say(`reported: ${message}`);
    await wb.command('Notifications: Clear All Notifications');
    wb.workspaceSettings({});
    await wb.openNote(sc.source);
    await wb.ready();
    say('the setting removed, carnet runs again');
    await wb.closeAll();
  },
};
