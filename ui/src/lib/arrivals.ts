// Records a background sync found: the sentence the window and the desktop notification say
// ("2 new records from Riverside Clinic and Harbour Clinic"), in the person's language.
import { sendNotification } from '@tauri-apps/plugin-notification';
import type { RecordsArrived } from '../ipc/types';
import { t } from '../i18n/translate';
import { formatList } from './format';

/** "1 new record", "3 new records from Riverside Clinic, Harbour Clinic and Oak Clinic". */
export function arrivalSentence(news: RecordsArrived): string {
  return news.from.length
    ? t('records.arrivedFrom', { count: news.count, from: formatList(news.from) })
    : t('records.arrived', { count: news.count });
}

/**
 * Tells the desktop (the system's notification service, through the notification plugin's
 * `window.Notification`), so the news reaches a person whose window is hidden.
 */
export function notifyArrival(news: RecordsArrived) {
  try {
    sendNotification({ title: t('common.appName'), body: arrivalSentence(news) });
  } catch {
    // No notification service (a browser preview, a desktop without one): the window says it.
  }
}
