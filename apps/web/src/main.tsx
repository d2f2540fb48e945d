import './styles/base.css';
import './styles/layout.css';
import './styles/components.css';
import './styles/objectives.css';
import './styles/pages.css';
import './styles/session.css';
import './styles/transcript.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { createDashboardStore } from './state/dashboard-store';
import { DashboardContext } from './state/use-dashboard';

const store = createDashboardStore();
store.start();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <DashboardContext value={store}>
      <App />
    </DashboardContext>
  </StrictMode>,
);
