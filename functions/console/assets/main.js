// Shows the screen for the address and hands it to its module.

const PAGES = {
  '/admin/': 'dashboard',
  '/admin/login': 'login',
  '/admin/invitation': 'invitation',
  '/admin/targets': 'targets',
  '/admin/people': 'people',
  '/admin/staff': 'staff',
  '/admin/audit': 'audit',
  '/admin/export': 'export',
};

// A target's page: /admin/targets/{symbol}-{number}-{id}. The API decides whether it is one of the union's.
const TARGET_PAGE = /^\/admin\/targets\/[0-9A-Za-z-]{1,80}$/;

const name = PAGES[location.pathname] || (TARGET_PAGE.test(location.pathname) ? 'target' : 'not-found');
const section = document.querySelector(`section[data-page="${name}"]`);
document.title = `${section.dataset.title} | 被扶養者資格調査 管理画面`;
document.getElementById('page-loading').hidden = true;
section.hidden = false;
if (name !== 'not-found') {
  const page = await import(`./pages/${name}.js`);
  await page.start(section);
}
