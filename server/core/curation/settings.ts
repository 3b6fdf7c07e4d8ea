// A project's curation settings and who may curate. Pure: decisions from the project record.
//
// Curators are the project's researchers and the accounts they name. While the project is blind,
// a named curator who is also one of its annotators may not curate (curation shows everyone's
// tags); annotators never see curation or gold while the project is blind.
import { roleIn, type ProjectAccess } from '../access.js';
import { DEFAULT_MERGE_SETTINGS, type MergeSettings } from './merge.js';

export interface CurationSettings {
  /** 'majority' of a sentence's reviewers, or at least k of them. */
  agree: 'majority' | number;
  /** Word-Jaccard threshold in (0, 1] of the overlap rule; null: same words only. */
  overlap: number | null;
  /** Show annotators as "Annotator 1, 2 …" on curation pages. */
  anonymise: boolean;
  /** Accounts named as curators besides the researchers. */
  curators: string[];
}

export const DEFAULT_CURATION: CurationSettings = { agree: 'majority', overlap: null, anonymise: false, curators: [] };

export function curationSettings(project: { curation?: CurationSettings | undefined }): CurationSettings {
  return project.curation ?? DEFAULT_CURATION;
}

export function mergeSettingsOf(settings: CurationSettings): MergeSettings {
  return { ...DEFAULT_MERGE_SETTINGS, agree: settings.agree, overlap: settings.overlap };
}

type Curated = ProjectAccess & { curation?: CurationSettings | undefined };

export function canCurate(project: Curated, userId: string): boolean {
  const role = roleIn(project, userId);
  if (role === 'researcher') return true;
  if (!curationSettings(project).curators.includes(userId)) return false;
  return role !== 'annotator' || project.open;
}

/** Whether a user may see the project's gold outside curation (agreement with gold, their feedback). */
export function canSeeGold(project: Curated, userId: string): boolean {
  if (canCurate(project, userId)) return true;
  return roleIn(project, userId) === 'annotator' && project.open;
}
