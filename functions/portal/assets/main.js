// Shows the screen for the address and hands it to its module.

const PAGES = {
  '/portal/': 'login',
  '/portal/signup': 'signup',
  '/portal/terms': 'terms',
  '/portal/contact': 'contact',
  '/portal/home': 'home',
  '/portal/settings': 'settings',
  '/portal/forgot-password': 'forgot-password',
  '/portal/forgot-id': 'forgot-id',
};

// A dependent's page: /portal/survey/{id}. The API decides whether the id is one of the person's.
const SURVEY_PAGE = /^\/portal\/survey\/[A-Za-z0-9]{1,64}$/;

const name = PAGES[location.pathname] || (SURVEY_PAGE.test(location.pathname) ? 'survey' : 'not-found');
const section = document.querySelector(`section[data-page="${name}"]`);
document.title = `${section.dataset.title} | 被扶養者資格調査`;
document.getElementById('page-loading').hidden = true;
section.hidden = false;
if (name !== 'not-found') {
  const page = await import(`./pages/${name}.js`);
  await page.start(section);
}
