import {
  GetResourcesCommand,
  type GetResourcesCommandInput,
  type ResourceGroupsTaggingAPIClient,
  type ResourceTagMapping,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { errorText, fail, pass, type CheckRow } from '../types';

export interface TagScope {
  /** The Environment tag value (`dev`; a preview also carries EnvironmentSuffix). */
  readonly environment: string;
  /** Preview suffix: only resources tagged EnvironmentSuffix=<suffix> are this preview's. */
  readonly suffix?: string;
  /** Tags every resource must carry, non-empty (REQUIRED_TAG_KEYS). */
  readonly requiredKeys: readonly string[];
  /** ARNs from the outputs: checked even when they lack the Environment tag the search filters on. */
  readonly knownArns: readonly string[];
}

/** Services whose resources the Tagging API lists whenever they carry a tag. */
const ALWAYS_COVERED = ['elasticloadbalancing', 'ecs', 'rds', 'ec2', 'dynamodb', 's3', 'sns', 'kms'];

/** More offending ARNs than this are counted, not listed. */
const LIST_AT_MOST = 20;

/**
 * Resources carry the required tags (Resource Groups Tagging API): every resource tagged
 * Environment=<env> (and, for a preview, EnvironmentSuffix) must also carry the other
 * required keys, and every ARN named in the outputs must carry all of them. Finding no
 * tagged resource at all is a failure: it means tagging never reached AWS.
 */
export async function checkRequiredTags(scope: TagScope, tagging: ResourceGroupsTaggingAPIClient): Promise<CheckRow[]> {
  const label = scope.suffix ? `Environment=${scope.environment},EnvironmentSuffix=${scope.suffix}` : `Environment=${scope.environment}`;
  const rows: CheckRow[] = [];
  try {
    const filters = [{ Key: 'Environment', Values: [scope.environment] }, ...(scope.suffix ? [{ Key: 'EnvironmentSuffix', Values: [scope.suffix] }] : [])];
    const tagged = await allResources(tagging, { TagFilters: filters });
    if (tagged.length === 0) {
      rows.push(fail('tags', label, 'no resource carries these tags: the required-tags aspect or default_tags never reached AWS'));
    } else {
      rows.push(summarise(label, tagged, scope.requiredKeys));
    }
  } catch (error) {
    rows.push(fail('tags', label, `GetResources failed: ${errorText(error)}`));
  }
  if (scope.knownArns.length > 0) {
    try {
      const known: ResourceTagMapping[] = [];
      for (let i = 0; i < scope.knownArns.length; i += 100) {
        known.push(...(await allResources(tagging, { ResourceARNList: scope.knownArns.slice(i, i + 100) })));
      }
      const returned = new Set(known.map((r) => r.ResourceARN));
      const row = summarise('output ARNs', known, scope.requiredKeys);
      // The API returns only resources that carry (or once carried) tags. For services whose
      // resources it always covers, absence means untagged; other ARNs are only noted.
      const unseen = scope.knownArns.filter((a) => !returned.has(a));
      const untagged = unseen.filter((a) => ALWAYS_COVERED.includes(a.split(':')[2]));
      const noted = unseen.filter((a) => !untagged.includes(a));
      if (untagged.length > 0) {
        rows.push(fail('tags', 'output ARNs', `${untagged.length} carry no tags at all: ${untagged.join(', ')}${row.status === 'fail' ? `; ${row.detail}` : ''}`));
      } else {
        rows.push(noted.length ? { ...row, detail: `${row.detail}; not returned by the Tagging API (not covered or never tagged): ${noted.join(', ')}` } : row);
      }
    } catch (error) {
      rows.push(fail('tags', 'output ARNs', `GetResources failed: ${errorText(error)}`));
    }
  }
  return rows;
}

function summarise(label: string, resources: readonly ResourceTagMapping[], requiredKeys: readonly string[]): CheckRow {
  const missing = resources.flatMap((r) => {
    const keys = new Set((r.Tags ?? []).filter((t) => t.Value).map((t) => t.Key));
    const lacks = requiredKeys.filter((k) => !keys.has(k));
    return lacks.length ? [`${r.ResourceARN} lacks ${lacks.join(', ')}`] : [];
  });
  if (missing.length === 0) return pass('tags', label, `${resources.length} resources carry ${requiredKeys.join(', ')}`);
  const listed = missing.slice(0, LIST_AT_MOST).join('; ');
  const more = missing.length > LIST_AT_MOST ? `; and ${missing.length - LIST_AT_MOST} more` : '';
  return fail('tags', label, `${missing.length} of ${resources.length} resources miss required tags: ${listed}${more}`);
}

async function allResources(tagging: ResourceGroupsTaggingAPIClient, input: GetResourcesCommandInput): Promise<ResourceTagMapping[]> {
  const all: ResourceTagMapping[] = [];
  let token: string | undefined;
  do {
    const page = await tagging.send(new GetResourcesCommand({ ...input, PaginationToken: token }));
    all.push(...(page.ResourceTagMappingList ?? []));
    token = page.PaginationToken || undefined;
  } while (token);
  return all;
}
