import './styles/base.css';
import './styles/layout.css';
import './styles/components.css';
import './styles/objectives.css';
import './styles/pages.css';
import './styles/session.css';
import './styles/transcript.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { signIn } from './api/sign-in';
import { App } from './app';
import { createDashboardStore } from './state/dashboard-store';
import { DashboardContext } from './state/use-dashboard';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
// A login link is traded for the cookie before the first request.
void signIn().then(() => {
  const store = createDashboardStore();
  store.start();
  createRoot(root).render(
    <StrictMode>
      <DashboardContext value={store}>
        <App />
      </DashboardContext>
    </StrictMode>,
  );
});
