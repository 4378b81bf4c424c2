/**
 * The impact report's routes in the OpenAPI document (`reportPaths`, spread in by server/openapi.ts
 * through EXTENSIONS); the shapes are in server/contract/report.ts.
 */
export { reportSchemas, AttachSimulationV1 } from '../contract/report.ts';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const err = (description: string) => ({ description, ...json(ref('Error')) });
const idParam = (example: string) => ({ name: 'id', in: 'path', required: true, schema: { type: 'string' }, example });
const byParam = { name: 'by', in: 'query', required: false, schema: { type: 'string' }, description: 'A column to group by: a fact name, or a column kept on upload (`@keep`)', example: '县区' };
const secured = { security: [{ bearer: [] }] };
const commonErrors = { '400': err('Bad input'), '401': err('Missing or invalid token'), '403': err('Role may not call this'), '429': err('Too many failed authentications or requests; see Retry-After') };

export const reportPaths = {
  '/api/v1/jobs/{id}/report': {
    get: {
      ...secured,
      operationId: 'getImpactReport',
      summary: "A finished simulation's impact report: policy change, verdicts moved per rule and outcome, amounts, breakdown by a column",
      tags: ['simulate'],
      parameters: [idParam('job_0193f1c2-5a00-7abc-9def-0123456789ab'), byParam],
      responses: {
        '200': { description: 'The report', ...json(ref('ImpactReportV1')) },
        '404': err('No such job'),
        '409': err('The job has not finished, or ended without a report (cancelled, failed, or run before reports existed)'),
        '422': err('`by` names no column of this dataset'),
        ...commonErrors,
      },
    },
  },
  '/api/v1/jobs/{id}/report.xlsx': {
    get: {
      ...secured,
      operationId: 'getImpactReportXlsx',
      summary: 'The impact report as XLSX: sheets 摘要 Summary, 分组 Breakdown, 变化记录 Changed records',
      tags: ['simulate'],
      parameters: [idParam('job_0193f1c2-5a00-7abc-9def-0123456789ab'), byParam],
      responses: {
        '200': { description: 'The workbook', content: { 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', format: 'binary' } } } },
        '404': err('No such job'),
        '409': err('The job has not finished, or ended without a report'),
        '422': err('`by` names no column of this dataset'),
        ...commonErrors,
      },
    },
  },
  '/api/v1/drafts/{id}/simulations': {
    get: {
      ...secured,
      operationId: 'listDraftSimulations',
      summary: 'The simulations attached to a draft, each with its impact report (for the approver)',
      tags: ['drafts'],
      parameters: [idParam('7')],
      responses: {
        '200': { description: 'Attached simulations, oldest first', ...json(ref('DraftSimulationsV1')) },
        '404': err('No such draft'),
        ...commonErrors,
      },
    },
    post: {
      ...secured,
      operationId: 'attachDraftSimulation',
      summary: 'Attach a finished simulation run with this draft as candidate, so the approver sees its report',
      tags: ['drafts'],
      parameters: [idParam('7')],
      requestBody: { required: true, ...json(ref('AttachSimulationV1')) },
      responses: {
        '201': { description: 'Attached (in the audit trail as draft.attach-simulation)', ...json(ref('DraftSimulationV1')) },
        '404': err('No such draft or job'),
        '409': err('The draft is not being edited or reviewed, the job has not finished, it was attached already, or the draft changed since it ran'),
        '413': err('Body too large'),
        '415': err('Not JSON'),
        '422': err('The simulation was not run with this draft as candidate, or `by` names no column of its dataset'),
        ...commonErrors,
      },
    },
  },
};
