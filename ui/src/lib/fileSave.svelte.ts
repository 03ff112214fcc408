// Saving a file record (an imaging study) to Downloads: which record is being saved and how far
// it is (from the `save-progress` events), and which was saved last and where. Home (a
// patient's own records) and Shared with me (a doctor's) use it with SaveStatus.svelte.
import { onSaveProgress } from '../ipc/commands';
import type { SavedFile, SaveStage } from '../ipc/types';

export interface Saving {
  id: string;
  name: string;
  stage: SaveStage;
  done: number;
  of: number;
}

export interface Saved {
  id: string;
  name: string;
  file: SavedFile;
}

export class FileSave {
  saving = $state<Saving | null>(null);
  saved = $state<Saved | null>(null);

  /** Runs `save` for record `id` (file `name`), following its progress; rethrows its error. */
  async run(id: string, name: string, save: () => Promise<SavedFile>): Promise<void> {
    this.saving = { id, name, stage: 'downloading', done: 0, of: 0 };
    this.saved = null;
    const stop = await onSaveProgress((p) => {
      if (this.saving && p.id === this.saving.id) {
        this.saving = { ...this.saving, stage: p.stage, done: p.done, of: p.of };
      }
    });
    try {
      this.saved = { id, name, file: await save() };
    } finally {
      stop();
      this.saving = null;
    }
  }
}
