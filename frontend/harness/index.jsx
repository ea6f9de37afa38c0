// The harness: the widgets in pages shaped like the learning MFE's Progress tab and the learner
// dashboard, mounted through frontend-plugin-framework's PluginSlot with the slot ids and aliases
// the MFEs use (src/plugin-slots/*/index.jsx in each), against the LMS's real REST API.
// The demo LMS serves it at /mfe-harness/<mfe>/... (devhost/lms/views.py) with its config in
// <script id="harness-config" type="application/json">.
import React from 'react';
import { createRoot } from 'react-dom/client';
import { mergeConfig } from '@edx/frontend-platform';
import { configure as configureAuth } from '@edx/frontend-platform/auth';
import { IntlProvider } from '@edx/frontend-platform/i18n';
import { PluginSlot } from '@openedx/frontend-plugin-framework';

import { SLOTS, learnerDashboardPluginSlots, learningPluginSlots } from '../src';
import SessionAuthService, { sessionConfig } from './sessionAuth';

const settings = JSON.parse(document.getElementById('harness-config').textContent);
const config = sessionConfig(settings.lms);
configureAuth(SessionAuthService, { config, loggingService: { logError: console.error, logInfo() {} } });

// learner dashboard: cardId -> course id, what the dashboard's own hook answers (card-<index>).
const courseOfCard = (cardId) => settings.cards[Number(cardId.replace('card-', ''))]?.course_key;

mergeConfig({
  ...config,
  pluginSlots: settings.mfe === 'learning'
    ? learningPluginSlots({ keepDefault: false })
    : learnerDashboardPluginSlots({ useCourseIdOfCard: courseOfCard }),
});

function ProgressTab() {
  return (
    <main className="container-xl py-4">
      <h1 className="h2 mb-4">Progress</h1>
      <div className="row">
        <div className="col-12 col-lg-8">
          <PluginSlot id={SLOTS.progressMainBody} idAliases={['progress_tab_certificate_status_main_body_slot']} />
          <section className="card p-4 mb-4"><h2 className="h4">Grades</h2><p className="small mb-0">{settings.course_title}</p></section>
        </div>
        <div className="col-12 col-lg-4">
          <PluginSlot id={SLOTS.progressSidePanel} idAliases={['progress_tab_certificate_status_side_panel_slot']} />
        </div>
      </div>
    </main>
  );
}

function LearnerDashboard() {
  return (
    <main className="container-xl py-4">
      <h1 className="h2 mb-4">My courses</h1>
      <div className="row">
        <div className="col-12 col-lg-8">
          {settings.cards.map((card, index) => (
            <section key={card.course_key} className="card mb-3" data-course={card.course_key}>
              <div className="card-body">
                <h2 className="h4">{card.course_title}</h2>
                <div className="d-flex flex-wrap justify-content-end" style={{ gap: '0.5rem' }}>
                  <PluginSlot
                    id={SLOTS.courseCardAction}
                    idAliases={['course_card_action_slot']}
                    pluginProps={{ cardId: `card-${index}` }}
                  />
                  <a className="btn btn-primary" href={card.course_url}>View course</a>
                </div>
              </div>
            </section>
          ))}
        </div>
        <aside className="col-12 col-lg-4">
          <PluginSlot id={SLOTS.widgetSidebar} idAliases={['widget_sidebar_slot']} />
        </aside>
      </div>
    </main>
  );
}

createRoot(document.getElementById('root')).render(
  <IntlProvider locale={settings.locale} messages={{}}>
    {settings.mfe === 'learning' ? <ProgressTab /> : <LearnerDashboard />}
  </IntlProvider>,
);
