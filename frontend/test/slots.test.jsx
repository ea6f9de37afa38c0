// The widgets as the MFEs mount them: frontend-plugin-framework's own PluginSlot, reading
// `pluginSlots` from frontend-platform's config, as env.config.jsx sets it.
import React from 'react';
import { screen } from '@testing-library/react';
import { mergeConfig } from '@edx/frontend-platform';
import { PluginSlot } from '@openedx/frontend-plugin-framework';

import { SLOTS, learnerDashboardPluginSlots, learningPluginSlots } from '../src';
import { TRANSLATIONS } from '../src/i18n';
import messages from '../src/messages';
import {
  API, COURSE, PROGRESS_URL, certificate, progress, renderIn, setUpHost,
} from './helpers';

let http;
beforeEach(() => { http = setUpHost(); });

describe('the plugin slots', () => {
  it('the Progress tab slots show the card next to the platform\'s, each copy at its own widths', async () => {
    http.onGet(PROGRESS_URL).reply(200, progress());
    mergeConfig({ pluginSlots: learningPluginSlots() });
    window.history.pushState({}, '', `/learning/course/${COURSE}/progress`);
    renderIn(
      <>
        <PluginSlot id={SLOTS.progressSidePanel} idAliases={['progress_tab_certificate_status_side_panel_slot']}>
          <p>The platform card (side panel)</p>
        </PluginSlot>
        <PluginSlot id={SLOTS.progressMainBody} idAliases={['progress_tab_certificate_status_main_body_slot']}>
          <p>The platform card (main body)</p>
        </PluginSlot>
      </>,
    );
    const cards = await screen.findAllByText('Certificate in progress');
    expect(cards).toHaveLength(2);
    const [side, main] = cards.map((node) => node.closest('[data-cert-plugin="progress"]'));
    expect(side).toHaveClass('d-none', 'd-lg-block');
    expect(main).toHaveClass('d-lg-none');
    expect(screen.getByText('The platform card (side panel)')).toBeInTheDocument();
  });

  it('keepDefault: false replaces the platform\'s card', async () => {
    http.onGet(PROGRESS_URL).reply(200, progress({ status: 'issued', certificate: certificate(), percent: 100 }));
    mergeConfig({ pluginSlots: learningPluginSlots({ keepDefault: false }) });
    window.history.pushState({}, '', `/learning/course/${COURSE}/progress`);
    renderIn(<PluginSlot id={SLOTS.progressSidePanel}><p>The platform card</p></PluginSlot>);
    expect(await screen.findByText('You earned a certificate')).toBeInTheDocument();
    expect(screen.queryByText('The platform card')).not.toBeInTheDocument();
  });

  it('the dashboard slots: "My certificates" in the sidebar, the action on the card the slot names', async () => {
    http.onGet(`${API}/me/certificates/`).reply(200, [{
      course_key: COURSE, course_title: 'Python for Data Work', course_url: '', status: 'issued', percent: 100,
      items: [], message: '', certificate: certificate(), profile_name: '', reissue_requested: false,
      refusal: null, recertification: null,
    }]);
    const cards = { 'card-0': COURSE, 'card-1': 'course-v1:Other+X+1' };
    mergeConfig({ pluginSlots: learnerDashboardPluginSlots({ useCourseIdOfCard: (cardId) => cards[cardId] }) });
    renderIn(
      <>
        <PluginSlot id={SLOTS.widgetSidebar} idAliases={['widget_sidebar_slot']} />
        <PluginSlot id={SLOTS.courseCardAction} idAliases={['course_card_action_slot']} pluginProps={{ cardId: 'card-0' }} />
        <PluginSlot id={SLOTS.courseCardAction} idAliases={['course_card_action_slot']} pluginProps={{ cardId: 'card-1' }} />
      </>,
    );
    expect(await screen.findByRole('heading', { name: 'My certificates' })).toBeInTheDocument();
    expect(await screen.findAllByRole('link', { name: /^Download certificate/ })).toHaveLength(1);
    expect(http.history.get).toHaveLength(1);
  });

  it('without the dashboard\'s hook, no course card action is configured', () => {
    expect(Object.keys(learnerDashboardPluginSlots())).toEqual([SLOTS.widgetSidebar]);
  });
});

describe('translations', () => {
  it.each(Object.keys(TRANSLATIONS))('%s has every message, with the same placeholders', (locale) => {
    // {name} and {name, plural, ...}: the arguments a message is formatted with.
    const placeholders = (text) => [...new Set([...text.matchAll(/\{(\w+)\s*[,}]/g)].map((m) => m[1]))].sort();
    const english = Object.fromEntries(Object.values(messages).map(({ id, defaultMessage }) => [id, placeholders(defaultMessage)]));
    const translated = Object.fromEntries(Object.entries(TRANSLATIONS[locale]).map(([id, text]) => [id, placeholders(text)]));
    expect(translated).toEqual(english);
  });
});
