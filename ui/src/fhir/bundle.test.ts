import { describe, expect, it } from 'vitest';
import { describeRecord, extractResources, parseFhir } from './bundle';
import { condition, potassium, visitBundle } from '../test/fixtures';

describe('parseFhir / extractResources', () => {
  it('reads every resource of a bundle', () => {
    const { resources, error } = parseFhir(JSON.stringify(visitBundle));
    expect(error).toBeNull();
    expect(resources).toHaveLength(visitBundle.entry.length);
    expect(resources[0].resourceType).toBe('Observation');
  });

  it('reads a single resource', () => {
    expect(parseFhir(JSON.stringify(condition)).resources).toEqual([condition]);
  });

  it('flattens nested bundles and skips entries without a resource', () => {
    const nested = {
      resourceType: 'Bundle',
      entry: [{ resource: { resourceType: 'Bundle', entry: [{ resource: potassium }] } }, { fullUrl: 'x' }, null, { resource: 'nope' }],
    };
    expect(extractResources(nested)).toEqual([potassium]);
  });

  it('explains invalid JSON, non-FHIR JSON and empty bundles', () => {
    expect(parseFhir('{not json').error).toMatch(/not valid JSON/);
    expect(parseFhir('[1,2]').error).toMatch(/not a FHIR resource/);
    expect(parseFhir('{"hello":"world"}').error).toMatch(/not a FHIR resource/);
    expect(parseFhir('{"resourceType":"Bundle","entry":[]}').error).toMatch(/no resources/);
  });
});

describe('describeRecord', () => {
  it('puts the visit first and keeps the clinic’s order otherwise', () => {
    const { items, error } = describeRecord(JSON.stringify(visitBundle));
    expect(error).toBeNull();
    expect(items.map((i) => i.resourceType)).toEqual([
      'Encounter',
      'Observation',
      'Observation',
      'Observation',
      'Condition',
      'MedicationRequest',
      'Immunization',
      'Procedure',
      'DiagnosticReport',
      'CarePlan',
    ]);
  });

  it('moves directory entries (patient, clinic) to the end', () => {
    const bundle = { resourceType: 'Bundle', entry: [{ resource: { resourceType: 'Patient', name: [{ text: 'Maria' }] } }, { resource: condition }] };
    expect(describeRecord(JSON.stringify(bundle)).items.map((i) => i.resourceType)).toEqual(['Condition', 'Patient']);
  });
});
