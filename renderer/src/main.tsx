import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { openLaunches } from './connect/launches.ts';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
// Connections main holds for this page (`porthole connect FILE.vnc`) open as it starts.
void openLaunches();
