/** The server's user-facing texts, in Chinese and English, by error code. */
import type { Text } from './wire.ts';

export type { Text };

export const MESSAGES = {
  'http.not-found': { zh: '没有这个地址', en: 'No such route' },
  'http.method-not-allowed': { zh: '此地址不支持该方法', en: 'Method not allowed on this route' },
  'http.malformed-json': { zh: '请求体不是合法的 JSON', en: 'The request body is not valid JSON' },
  'http.too-deep': { zh: '请求体嵌套过深', en: 'The request body is nested too deeply' },
  'http.invalid-body': { zh: '请求内容不符合要求', en: 'The request body does not have the expected shape' },
  'http.invalid-query': { zh: '查询参数不符合要求', en: 'The query parameters are not valid' },
  'http.unsupported-media-type': { zh: '不支持的内容类型', en: 'Unsupported content type' },
  'http.payload-too-large': { zh: '请求体过大', en: 'The request body is too large' },
  'http.precondition-required': { zh: '修改草稿须带 If-Match 头(草稿的 ETag)', en: 'Editing a draft needs an If-Match header with its ETag' },
  'http.precondition-failed': { zh: '草稿已被他人修改,请重新载入后再改', en: 'The draft changed since you loaded it; reload and edit again' },
  'http.internal': { zh: '服务器内部错误', en: 'Internal server error' },
  'http.bad-request': { zh: '请求无法解析(请求行或请求头不合法;查询参数中的中文请用 URL 编码,如 curl --data-urlencode)', en: 'The request cannot be read (bad request line or headers; percent-encode non-ASCII query values, e.g. curl --data-urlencode)' },
  'auth.too-many-failures': { zh: '此地址认证失败次数过多,请稍后再试', en: 'Too many failed authentications from this address; try again later' },
  'auth.rate-limited': { zh: '此令牌的请求过于频繁,请稍后再试', en: 'Too many requests with this token; try again later' },
  'auth.missing-token': { zh: '缺少访问令牌(Authorization: Bearer …)', en: 'Missing access token (Authorization: Bearer …)' },
  'auth.invalid-token': { zh: '访问令牌无效或已吊销', en: 'The access token is invalid or revoked' },
  'auth.forbidden': { zh: '您的角色无权执行此操作', en: 'Your role may not do this' },
  'policy.not-found': { zh: '没有这个政策', en: 'No such policy' },
  'policy.version-not-found': { zh: '没有这个政策版本', en: 'No such policy version' },
  'policy.unresolvable': { zh: '无法确定适用的政策版本', en: 'Cannot resolve the policy version to apply' },
  'policy.periods-overlap': { zh: '该版本的生效期与另一版本重叠', en: 'This version is in force during another version’s period' },
  'policy.effective-from-taken': { zh: '该政策已有一个版本从同一天起生效', en: 'Another version of this policy takes effect on the same day' },
  'policy.version-exists': { zh: '该政策的这个版本号已发布,请改用新的版本号', en: 'This version label is already published for the policy; use a new one' },
  'draft.not-found': { zh: '没有这个草稿', en: 'No such draft' },
  'draft.invalid-state': { zh: '草稿当前状态不允许此操作', en: 'The draft is not in a state that allows this' },
  'draft.has-errors': { zh: '草稿有错误,修正后才能提交或发布', en: 'The draft has errors; fix them before submitting or publishing' },
  'draft.too-deep': { zh: '政策源文本嵌套超过上限,未保存', en: 'The policy source nests deeper than the limit; not saved' },
  'draft.four-eyes': { zh: '审核人不能是草稿的作者或编辑者(四眼原则)', en: 'The approver must be someone other than the draft’s authors (four eyes)' },
  'facts.invalid': { zh: '事实数据不符合政策的事实定义', en: 'The facts do not match the policy’s fact declarations' },
  'decision.not-found': { zh: '没有这条决定记录', en: 'No such decision' },
  'decision.tampered': { zh: '决定日志中有记录与其提交批次的哈希不符(记录后被修改);请运行 tiaowen audit verify', en: 'Logged decisions do not match the hash of their commit batch (edited after logging); run tiaowen audit verify' },
  'job.not-found': { zh: '没有这个任务', en: 'No such job' },
  'job.not-finished': { zh: '任务尚未完成', en: 'The job has not finished' },
  'job.finished': { zh: '任务已结束,无法取消', en: 'The job has already ended and cannot be cancelled' },
  'job.failed': { zh: '模拟任务失败,可重新提交;如再次失败请联系管理员', en: 'The simulation failed; submit it again, and if it fails again ask an administrator' },
  'job.interrupted': { zh: '服务在任务运行时重启,任务已中断,请重新提交', en: 'The server restarted while the job was running; submit it again' },
  'upload.missing-file': { zh: '缺少上传文件(表单字段 file)', en: 'Missing the uploaded file (form field `file`)' },
  'upload.unsupported-format': { zh: '不支持的文件格式,请上传 JSONL、CSV 或 XLSX', en: 'Unsupported file format; upload JSONL, CSV or XLSX' },
  'upload.broken': { zh: '上传的文件无法读取', en: 'The uploaded file cannot be read' },
  'upload.empty': { zh: '上传的文件没有数据行', en: 'The uploaded file has no data rows' },
  'upload.unmapped-columns': {
    zh: '上传文件中有列不对应任何事实:请为这些列指定事实(或忽略),随任务提交对照关系(表单字段 mapping)',
    en: 'Some columns of the upload match no fact: map each to a fact (or ignore it) and send the mapping with the job (form field `mapping`)',
  },
  'token.not-found': { zh: '没有这个令牌', en: 'No such token' },
  'token.bad-name': { zh: '令牌名称(持有人)不合要求', en: 'The token name (its holder) is not acceptable' },
  'token.last-admin': { zh: '这是最后一个有效的管理员令牌,吊销后将无人能管理;请先为另一位管理员创建令牌', en: 'This is the last active admin token: revoking it would lock everyone out; create one for another admin first' },
  // Persons and jurisdiction scopes (issue #16).
  'auth.pending': { zh: '此人或此角色的授权尚待另一位管理员批准', en: 'This person or role grant awaits a second admin’s approval' },
  'auth.out-of-scope': { zh: '您的授权不包括此辖区', en: 'Your grant does not cover this jurisdiction' },
  'person.not-found': { zh: '没有此人', en: 'No such person' },
  'person.exists': { zh: '已有同一身份的人(名称按 NFKC、去空白、忽略大小写比较)', en: 'A person with this identity exists (names compare NFKC, trimmed, case-folded)' },
  'person.bad-name': { zh: '姓名不合要求', en: 'The name is not acceptable' },
  'person.not-pending': { zh: '此人没有待批准的授权', en: 'This person has no grant awaiting approval' },
  'person.four-eyes': { zh: '须由另一位管理员批准(不能批准自己或自己申请的授权)', en: 'Another admin must approve (not the person, nor the admin who asked for the grant)' },
  'person.no-grant': { zh: '此人没有该角色的授权', en: 'The person holds no grant of this role' },
  'http.uri-too-long': { zh: '请求地址或请求头过长', en: 'The URL or the headers are too long' },
  'diff.bad-ref': { zh: '版本引用应写作 <政策>@<版本> 或 draft:<编号>', en: 'A version reference is written <policy>@<version> or draft:<id>' },
  'batch.line-error': { zh: '此行无法处理', en: 'This line could not be processed' },
  'bundle.policy-mismatch': { zh: '上报的决定所用政策与服务器解析的版本不一致(哈希不同)', en: 'A reported decision was made on a policy other than the one the server resolves (hash differs)' },
  'batch.malformed-line': { zh: '此行不是合法的 JSON 对象', en: 'This line is not a valid JSON object' },
} satisfies Record<string, Text>;

export type MessageCode = keyof typeof MESSAGES;

export function msg(code: MessageCode): Text {
  return MESSAGES[code];
}
