"""Word lists of the synthetic generator: a bilingual vocabulary ranked for Zipf sampling,
names, places, journals, MeSH headings. Data only; the generator decides how to use it.

The Chinese side follows Suppr's style: a content word becomes its usual Chinese term, most
English function words disappear, Latin terms and numbers stay as they are.
"""

from __future__ import annotations

# English word, Chinese rendering ("" = dropped in Chinese), most frequent first.
FUNCTION = (
    "the: of:的 and:和 in:在 to: a: with:与 for:为 was: were: that: by:由 as:作为 on:对 "
    "from:从 is:是 are:是 at: this:本 an: be: or:或 than:比 not:未 these:这些 their:其 "
    "which: between:之间 after:之后 during:期间 among:中 more:更多 all:所有 both:均 "
    "have:有 has:有 been: but:但 who: its:其 most:最 also:也 within:内"
)
_CONTENT = (
    "study:研究 patients:患者 results:结果 group:组 health:健康 care:护理 data:数据 "
    "analysis:分析 treatment:治疗 clinical:临床 risk:风险 outcomes:结局 associated:相关 "
    "significant:显著 increased:增加 reduced:降低 effect:效果 compared:比较 higher:较高 "
    "lower:较低 factors:因素 years:年 age:年龄 women:女性 men:男性 children:儿童 "
    "hospital:医院 medical:医学 training:培训 program:项目 intervention:干预 support:支持 "
    "physicians:医生 doctors:医生 nurses:护士 residents:住院医师 students:学生 "
    "education:教育 quality:质量 life:生活 mental:心理 stress:压力 depression:抑郁 "
    "anxiety:焦虑 survey:调查 questionnaire:问卷 interviews:访谈 qualitative:定性 "
    "participants:参与者 evidence:证据 practice:实践 primary:初级 general:一般 family:家庭 "
    "community:社区 services:服务 model:模型 level:水平 levels:水平 rate:率 time:时间 "
    "total:总 mean:平均 median:中位 score:评分 scores:评分 scale:量表 baseline:基线 "
    "follow-up:随访 trial:试验 randomized:随机 controlled:对照 cohort:队列 "
    "cross-sectional:横断面 prevalence:患病率 incidence:发病率 mortality:死亡率 "
    "disease:疾病 cancer:癌症 diabetes:糖尿病 pain:疼痛 surgery:手术 therapy:疗法 "
    "drug:药物 dose:剂量 blood:血液 burnout:职业倦怠 empathy:共情 communication:沟通 "
    "relationship:关系 professional:职业 identity:认同 reflection:反思 wellbeing:福祉 "
    "resilience:韧性 satisfaction:满意度 workload:工作量 emotional:情绪 exhaustion:耗竭 "
    "team:团队 work:工作 workplace:工作场所 colleagues:同事 supervision:督导 "
    "mentoring:指导 feedback:反馈 skills:技能 knowledge:知识 attitudes:态度 "
    "experience:经验 experiences:经历 perceived:感知 important:重要 potential:潜在 new:新 "
    "high:高 low:低 used:使用 using:使用 based:基于 including:包括 identified:确定 "
    "reported:报告 showed:显示 found:发现 observed:观察 assessed:评估 evaluated:评价 "
    "measured:测量 conducted:进行 performed:实施 included:纳入 improved:改善 "
    "provide:提供 need:需要 needs:需求 access:获取 barriers:障碍 strategies:策略 "
    "approach:方法 methods:方法 design:设计 sample:样本 population:人群 national:全国 "
    "countries:国家 Chinese:中国 international:国际 social:社会 public:公共 policy:政策 "
    "costs:成本 economic:经济 management:管理 system:系统 role:作用 impact:影响 "
    "response:反应 changes:变化 differences:差异 association:关联 correlation:相关性 "
    "regression:回归 logistic:逻辑 multivariate:多变量 odds:比值 ratio:比 "
    "confidence:置信 interval:区间 statistically:统计学 aim:目的 purpose:目的 "
    "findings:发现 suggest:提示 indicate:表明 further:进一步 research:研究 future:未来 "
    "current:当前 literature:文献 review:综述 systematic:系统 meta-analysis:荟萃分析 "
    "prospective:前瞻性 retrospective:回顾性 adults:成人 adolescents:青少年 "
    "older:老年 infants:婴儿 pregnancy:妊娠 maternal:孕产妇 infection:感染 "
    "vaccine:疫苗 pandemic:大流行 emergency:急诊 department:科室 surgical:外科 "
    "oncology:肿瘤学 psychiatry:精神病学 psychiatric:精神科 pediatric:儿科 "
    "nursing:护理 general-practice:全科医学 rural:农村 urban:城市 income:收入 "
    "insurance:保险 hospitals:医院 clinics:诊所 settings:环境 workers:工作者 "
    "volunteers:志愿者 caregivers:照护者 relatives:亲属 self-efficacy:自我效能 "
    "coping:应对 loneliness:孤独 sleep:睡眠 fatigue:疲劳 compassion:同情 "
    "morale:士气 retention:留任 turnover:离职 leadership:领导力 culture:文化 "
    "curriculum:课程 simulation:模拟 competence:胜任力 assessment:评估 "
    "validity:效度 reliability:信度 consistency:一致性 themes:主题 coding:编码 "
    "thematic:主题 semi-structured:半结构化 focus:焦点 groups:小组 sessions:会议 "
    "weekly:每周 monthly:每月 months:月 weeks:周 days:天 hours:小时 minutes:分钟 "
    "online:在线 virtual:虚拟 video:视频 digital:数字 telephone:电话 "
    "implementation:实施 feasibility:可行性 acceptability:可接受性 adherence:依从性 "
    "efficacy:疗效 safety:安全性 adverse:不良 events:事件 symptoms:症状 severity:严重程度 "
    "diagnosis:诊断 screening:筛查 prevention:预防 rehabilitation:康复 chronic:慢性 "
    "acute:急性 cardiovascular:心血管 respiratory:呼吸 renal:肾脏 hepatic:肝脏 "
    "cognitive:认知 behavioral:行为 functional:功能 physical:身体 activity:活动 "
    "exercise:运动 diet:饮食 obesity:肥胖 smoking:吸烟 alcohol:饮酒 suicide:自杀 "
    "violence:暴力 trauma:创伤 grief:悲伤 death:死亡 palliative:姑息 ethics:伦理 "
    "consent:同意 privacy:隐私 equity:公平 disparities:差距 minority:少数 migrants:移民 "
    "gender:性别 female:女性 male:男性 married:已婚 education-level:教育程度 "
    "doctor-patient:医患 consultation:会诊 referral:转诊 continuity:连续性 "
    "trust:信任 uncertainty:不确定性 meaning:意义 purpose-in-life:人生目标 values:价值观"
)
# Prefixes and suffixes of rarer (Greek-Latin) terms: the long tail of the vocabulary.
TAIL_PREFIXES = (
    "cardi:心 neur:神经 hepat:肝 nephr:肾 oste:骨 derm:皮肤 gastr:胃 pulmon:肺 "
    "endocrin:内分泌 immun:免疫 hemat:血液 onc:肿瘤 psych:精神 ophthalm:眼 "
    "otolaryng:耳鼻喉 pediatr:儿科 geriatr:老年 rheumat:风湿 urolog:泌尿 gynec:妇科 "
    "myel:髓 lymph:淋巴 angi:血管 thromb:血栓 fibr:纤维 cyt:细胞 lip:脂 gluc:糖 "
    "prot:蛋白 kin:激"
)
TAIL_LINKS = ("o", "i", "a")
TAIL_SUFFIXES = (
    "pathy:病 logy:学 genic:源性 lysis:溶解 cyte:细胞 plasty:成形术 scopy:镜检查 "
    "tomy:切开术 emia:血症 itis:炎 oma:瘤 ase:酶 ine:素 osis:病 ectomy:切除术 "
    "philic:亲性 trophic:营养 tropic:向性 metric:测量 gram:图"
)
# Terms kept in Latin letters on the Chinese side too.
ACRONYMS = "COVID-19 GP ICU MBI RCT PHQ-9 GAD-7 HIV SARS-CoV-2 NHS WHO BMI CBT EHR".split()


def pairs(spec: str) -> list[tuple[str, str]]:
    return [tuple(item.split(":", 1)) for item in spec.split()]  # type: ignore[misc]


def vocabulary() -> list[tuple[str, str]]:
    """(English, Chinese) for every word, most frequent first: function words, common
    content words, then the generated tail."""
    spaced = {"general-practice", "education-level", "purpose-in-life"}
    words = pairs(FUNCTION) + [
        (e.replace("-", " ") if e in spaced else e, z) for e, z in pairs(_CONTENT)
    ]
    tail = []
    for suffix, zh_suffix in pairs(TAIL_SUFFIXES):
        for link in TAIL_LINKS:
            for prefix, zh_prefix in pairs(TAIL_PREFIXES):
                tail.append((prefix + link + suffix, zh_prefix + zh_suffix))
    return words + tail


LABELS = (
    ("BACKGROUND", "背景"),
    ("OBJECTIVE", "目的"),
    ("METHODS", "方法"),
    ("RESULTS", "结果"),
    ("CONCLUSIONS", "结论"),
)
OTHER_LABELS = (
    ("INTRODUCTION", "引言"),
    ("MATERIALS AND METHODS", "材料和方法"),
    ("FINDINGS", "发现"),
    ("DISCUSSION", "讨论"),
    ("CONCLUSION", "结论"),
)

LAST_NAMES = (
    "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Gao Luo "
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Martinez Lopez Wilson Anderson "
    "Taylor Thomas Moore Martin Lee Thompson White Harris Clark Lewis Robinson Walker "
    "Müller Schmidt Schneider Fischer Weber Rossi Russo Bianchi Dubois Laurent Tanaka "
    "Suzuki Kim Park Nguyen Singh Kumar Sharma Olsen Hansen Johansson Novak Kowalski"
).split()
FORE_NAMES = (
    "Wei Fang Min Jing Lei Yan Hui Jun Xin Ying Hao Yu Li Na Tao Qiang Ling Bo Mei Jie "
    "John Mary James Anna Michael Sarah David Laura Robert Emma Thomas Julia Peter Sofia "
    "Daniel Clara Andreas Maria Luca Giulia Pierre Claire Hiroshi Yuki Min-jun Ji-woo "
    "Priya Arjun Lars Ingrid Jan Ewa"
).split()
COLLECTIVES = (
    "Balint Research Network",
    "Peer Support Study Group",
    "COVID-19 Workforce Consortium",
    "Residency Wellbeing Collaborative",
    "Primary Care Research Network",
)
DEPARTMENTS = (
    "Family Medicine",
    "Psychiatry",
    "General Practice",
    "Medical Education",
    "Nursing",
    "Public Health",
    "Internal Medicine",
    "Psychology",
    "Oncology",
    "Pediatrics",
    "Epidemiology and Biostatistics",
    "Emergency Medicine",
    "Health Services Research",
)
INSTITUTIONS = (
    ("Peking University", "Beijing", "China"),
    ("Fudan University", "Shanghai", "China"),
    ("Sichuan University", "Chengdu", "China"),
    ("Sun Yat-sen University", "Guangzhou", "China"),
    ("Zhejiang University", "Hangzhou", "China"),
    ("University of Oslo", "Oslo", "Norway"),
    ("University College London", "London", "UK"),
    ("University of Auckland", "Auckland", "New Zealand"),
    ("McGill University", "Montreal", "Canada"),
    ("Harvard Medical School", "Boston", "USA"),
    ("University of Michigan", "Ann Arbor", "USA"),
    ("Charité", "Berlin", "Germany"),
    ("Karolinska Institutet", "Stockholm", "Sweden"),
    ("University of Sydney", "Sydney", "Australia"),
    ("Seoul National University", "Seoul", "Korea"),
    ("University of Tokyo", "Tokyo", "Japan"),
    ("Université de Montréal", "Montréal", "Canada"),
    ("University of Toronto", "Toronto", "Canada"),
    ("Utrecht University", "Utrecht", "Netherlands"),
    ("University of Cape Town", "Cape Town", "South Africa"),
)
JOURNALS = (
    ("BMC Med Educ", "BMC medical education"),
    ("BMJ Open", "BMJ open"),
    ("Fam Pract", "Family practice"),
    ("Med Educ", "Medical education"),
    ("J Gen Intern Med", "Journal of general internal medicine"),
    ("Int J Psychiatry Med", "International journal of psychiatry in medicine"),
    ("Zhonghua Yi Xue Za Zhi", "Zhonghua yi xue za zhi"),
    ("PLoS One", "PloS one"),
    ("Acad Med", "Academic medicine : journal of the Association of American Medical Colleges"),
    ("Br J Gen Pract", "The British journal of general practice"),
    ("BMC Health Serv Res", "BMC health services research"),
    ("BMC Prim Care", "BMC primary care"),
    ("Educ Prim Care", "Education for primary care"),
    ("Front Psychol", "Frontiers in psychology"),
    ("Int J Environ Res Public Health", "International journal of environmental research"),
    ("J Adv Nurs", "Journal of advanced nursing"),
    ("Nurse Educ Today", "Nurse education today"),
    ("Psychooncology", "Psycho-oncology"),
    ("Fam Med", "Family medicine"),
    ("Med Teach", "Medical teacher"),
    ("Lancet", "Lancet (London, England)"),
    ("JAMA Netw Open", "JAMA network open"),
    ("Sci Rep", "Scientific reports"),
    ("Zhonghua Hu Li Za Zhi", "Zhonghua hu li za zhi"),
    ("Psychiatr Serv", "Psychiatric services"),
    ("J Med Internet Res", "Journal of medical Internet research"),
    ("Patient Educ Couns", "Patient education and counseling"),
    ("Soc Sci Med", "Social science & medicine"),
    ("Can Fam Physician", "Canadian family physician"),
    ("Aust J Gen Pract", "Australian journal of general practice"),
)
MESH = (
    "Humans|Female|Male|Adult|Middle Aged|Aged|Adolescent|Young Adult|Burnout, Professional|"
    "Peer Group|Social Support|Internship and Residency|Physician-Patient Relations|Empathy|"
    "General Practitioners|Nurses|Surveys and Questionnaires|Qualitative Research|"
    "Education, Medical|Students, Medical|Stress, Psychological|Depression|Anxiety|"
    "Mental Health|COVID-19|Pandemics|Primary Health Care|Family Practice|Physicians|"
    "Job Satisfaction|Workload|Cross-Sectional Studies|Prospective Studies|"
    "Retrospective Studies|Risk Factors|Treatment Outcome|China|Attitude of Health Personnel|"
    "Communication|Resilience, Psychological|Health Personnel|Quality of Life|"
    "Self Efficacy|Patient Care Team|Hospitals|Curriculum|Clinical Competence|Counseling|"
    "Psychotherapy, Group|Burnout, Psychological|Occupational Stress|Nursing Staff, Hospital|"
    "Education, Nursing|Interviews as Topic|Focus Groups|Reproducibility of Results|"
    "Emotions|Compassion Fatigue|Professional-Patient Relations|Mentors|Leadership|"
    "Organizational Culture|Suicide|Sleep|Exercise|Telemedicine|Delivery of Health Care"
)
QUALIFIERS = (
    ("psychology", "Q000523"),
    ("education", "Q000193"),
    ("prevention & control", "Q000517"),
    ("epidemiology", "Q000453"),
    ("methods", "Q000379"),
    ("statistics & numerical data", "Q000706"),
    ("organization & administration", "Q000458"),
    ("therapy", "Q000628"),
    ("diagnosis", "Q000175"),
    ("etiology", "Q000209"),
    ("standards", "Q000592"),
    ("trends", "Q000639"),
    ("economics", "Q000191"),
    ("ethics", "Q000941"),
)
PUBLICATION_TYPES = (
    ("Journal Article", "D016428"),
    ("Review", "D016454"),
    ("Randomized Controlled Trial", "D016449"),
    ("Systematic Review", "D000078182"),
    ("Comparative Study", "D003160"),
    ("Multicenter Study", "D016448"),
    ("Research Support, Non-U.S. Gov't", "D013485"),
    ("Letter", "D016422"),
)
SEASONS = ("Spring", "Summer", "Fall", "Winter")
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
# The site's promotional footer, as page copies of Suppr carry it (the importer drops it).
SUPPR_FOOTER = (
    "文献检索\n\n告别复杂PubMed语法,用中文像聊天一样搜索,搜遍4000万医学文献。AI智能推荐,"
    "让科研检索更轻松。\n\n立即免费搜索\n\n文件翻译\n\n保留排版,准确专业,支持PDF/Word/PPT等"
    "文件格式,支持 12+语言互译。\n\n免费翻译文档\n\n深度研究\n\nAI帮你快速写综述,25分钟生成"
    "高质量综述,智能提取关键信息,辅助科研写作。\n\n立即免费体验\n"
)
