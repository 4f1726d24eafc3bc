/**
 * Korean strings of variety testing (품종검정): the county official, the inspector and the farmer: loaded with the pages that use them, not with the
 * portal's first script (see addKoSection in ./index.ts). English keeps them in en.ts.
 */
export const varietyKo = {
  programme: "매입 사업",
  notCountyOrNation:
    "품종 지정과 추첨은 시군 공무원이, 산지쌀값 기록은 전국 공무원이 합니다. 이 자격으로는 할 일이 없습니다.",
  countyHeading: "{{region}} 품종검정",
  phase: {
    designate: "아직 지정 품종이 없습니다. 첫 출하 신청 전에 정하세요.",
    commit: "지정 품종이 정해졌습니다. 출하 기간이 끝나기({{date}}) 전에 추첨 약속값을 등록하세요.",
    missed: "출하 기간이 끝날 때까지 추첨 약속값을 등록하지 않아 이 사업은 추첨할 수 없습니다.",
    committed: "추첨 약속값이 등록되었습니다. 출하 기간이 끝난({{date}}) 뒤에 공개합니다.",
    reveal: "출하 기간이 끝났습니다. 이 기기에 보관한 비밀값을 공개하세요.",
    draw: "비밀값이 공개되었습니다. 추첨을 하세요.",
    drawn: "추첨이 끝났습니다. 아래 농가가 품종검정 대상입니다.",
  },
  designated: "지정 품종",
  designate: "지정 품종 정하기",
  designateHelp:
    "이 군에서 받을 품종을 두 개까지 고르세요. 다른 품종은 출하 신청을 받지 않습니다. 첫 출하 신청이 들어오면 바꿀 수 없습니다.",
  first: "첫째 품종",
  second: "둘째 품종",
  none: "없음",
  errFirst: "첫째 품종을 고르세요.",
  errSame: "같은 품종을 두 번 고를 수 없습니다.",
  designateTitle: "{{region}} 지정 품종: {{varieties}}",
  commit: "추첨 약속값 등록",
  commitHelp:
    "비밀값을 이 기기에서 만들어 보관하고, 그 약속값만 기록합니다. 비밀값 파일을 내려받아 따로 보관하세요. 잃어버리면 추첨할 수 없습니다.",
  commitTitle: "{{region}} 품종검정 추첨 약속값 등록",
  commitment: "약속값",
  windowEnds: "출하 기간 끝",
  secret: "비밀값",
  reveal: "비밀값 공개",
  revealTitle: "{{region}} 품종검정 추첨 비밀값 공개",
  secretMissing:
    "이 기기에 추첨 비밀값이 없어 공개할 수 없습니다. 약속값을 등록할 때 내려받은 파일을 가져오세요.",
  secretImport: "추첨 비밀값 파일 가져오기",
  secretWrong: "이 파일의 비밀값은 등록한 약속값과 맞지 않습니다.",
  secretUnreadable: "파일을 읽을 수 없습니다. 약속값을 등록할 때 내려받은 .json 파일을 고르세요.",
  draw: "추첨하기",
  drawHelp:
    "공개한 다음 블록({{block}}번)의 값과 섞어 추첨합니다. 그 블록이 만들어진 뒤 누구나 할 수 있습니다.",
  drawTitle: "{{region}} 품종검정 대상 추첨",
  drawnSummary: "출하한 농가 {{sellers}}곳 중 {{size}}곳을 뽑았습니다.",
  seed: "추첨 값",
  checkOk: "이 브라우저에서 다시 계산해도 같은 결과입니다 (농가 번호 {{numbers}}).",
  checkFailed: "이 브라우저에서 다시 계산한 결과가 기록과 다릅니다. 감사인에게 알리세요.",
  farmNumber: "농가 번호 {{n}}",
  resultPending: "결과 기다리는 중",
  resultPassed: "합격 (지정 외 품종 {{share}}%)",
  resultExcluded: "제외 (지정 외 품종 {{share}}%, 다음 5년 매입 제외)",
  pricesHeading: "산지쌀값 기록",
  pricesHelp:
    "통계청이 열흘마다 발표하는 산지쌀값(80kg 한 가마 값)을 발표한 날짜별로 기록합니다. 최종 가격은 10월 5일부터 12월 25일까지 발표값의 평균으로 정합니다.",
  surveyDate: "발표 날짜",
  pricePer80kg: "80kg 값 (원)",
  alreadyRecorded: "기록됨",
  recordPrice: "산지쌀값 기록",
  errSurveyDate: "발표 날짜를 고르세요.",
  priceTitle: "산지쌀값 기록: {{date}} {{price}}",
  seriesCaption: "기록된 산지쌀값",
  inspectorTitle: "품종검정 결과 등록",
  inspectorHelp:
    "추첨으로 뽑힌 농가의 시료에서 지정 외 품종이 얼마나 나왔는지 천분율(‰)로 적고, 검정 증명서 파일을 고르세요. 200‰(20%)를 넘으면 그 농가는 다음 5년 동안 매입에서 제외됩니다.",
  resultFor: "농가 번호 {{n}}의 품종검정 결과",
  offTypePermille: "지정 외 품종 비율 (‰)",
  offTypeHint: "0에서 1000 사이. 예: 12% → 120",
  certificate: "검정 증명서 파일",
  certificateHash: "증명서 지문",
  errPermille: "0에서 1000 사이의 정수를 적으세요.",
  errCertificate: "검정 증명서 파일을 고르세요.",
  recordResult: "결과 등록",
  resultTitle: "품종검정 결과 등록: {{farm}} 지정 외 품종 {{share}}% (합격)",
  resultTitleExcluded:
    "품종검정 결과 등록: {{farm}} 지정 외 품종 {{share}}% (20% 초과, 5년 매입 제외)",
};
